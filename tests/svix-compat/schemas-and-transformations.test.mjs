// Event type schemas enforced on publish (the server runs with Herald__EventTypes__PayloadValidation=Declared) and
// endpoint transformations (svix@2.5.0's endpoint.transformation.get/patch), through the SDK as its users call them.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { V1, expectApiError, quietly, svix, uniq } from "./helpers.mjs";
import { explainAttempts, startReceiver } from "./receiver.mjs";

const schemas = {
  1: {
    type: "object",
    required: ["id", "amount"],
    properties: { id: { type: "string", format: "uuid" }, amount: { type: "integer", minimum: 1 } },
  },
};

let receiver, appId;
const eventType = uniq("compat.schema");

before(async () => {
  receiver = await startReceiver();
  appId = (await svix.application.create({ name: uniq("Compat schemas") })).id;
  await svix.eventType.create({ name: eventType, description: "schema check", schemas });
});

after(async () => {
  await quietly(() => svix.application.delete(appId));
  await quietly(() => svix.eventType.delete(eventType, { expunge: true }));
  await receiver?.close();
});

describe("event type schemas", () => {
  it("an unusable schema is refused with a 422 naming the version", async () => {
    const error = await expectApiError(
      svix.eventType.create({ name: uniq("compat.bad"), description: "bad", schemas: { 1: { type: 5 } } }),
      422
    );
    assert.deepEqual(error.body.detail[0].loc, ["body", "schemas", "1"]);
    assert.equal(error.body.detail[0].type, "invalid_schema");
  });

  it("a payload that breaks the schema is refused with a 422 pointing at each failing path", async () => {
    const error = await expectApiError(
      svix.message.create(appId, { eventType, payload: { id: "not-a-uuid", amount: 0 } }),
      422,
      "payload_schema_mismatch"
    );
    const locs = error.body.detail.map((d) => d.loc.join("."));
    assert.ok(locs.includes("body.payload.id"), JSON.stringify(error.body));
    assert.ok(locs.includes("body.payload.amount"), JSON.stringify(error.body));
  });

  it("a valid payload is published", async () => {
    const msg = await svix.message.create(appId, { eventType, payload: { id: "00000000-0000-4000-8000-000000000000", amount: 5 } });
    assert.ok(msg.id.startsWith("msg_"));
  });

  it("sendExample without examples sends a payload generated from the schema", async () => {
    const path = `/schema/${uniq("ep")}`;
    const endpoint = await svix.endpoint.create(appId, { url: `${receiver.url}${path}` });
    const msg = await svix.endpoint.sendExample(appId, endpoint.id, { eventType });
    const [hook] = await receiver.waitFor((r) => r.path === path && r.headers["webhook-id"] === msg.id, {
      explain: explainAttempts(appId, endpoint.id),
    });
    assert.deepEqual(JSON.parse(hook.body.toString("utf8")), { id: "00000000-0000-4000-8000-000000000000", amount: 1 });
  });
});

describe("endpoint.transformation", { skip: V1 && "svix 1.x has no endpoint.transformation" }, () => {
  it("patch then get returns the code and enabled flag", async () => {
    const endpoint = await svix.endpoint.create(appId, { url: `${receiver.url}/t/${uniq("ep")}` });
    const code = "function handler(webhook) { return webhook; }";
    assert.equal((await svix.endpoint.transformation.get(appId, endpoint.id)).enabled, false);

    await svix.endpoint.transformation.patch(appId, endpoint.id, { code, enabled: true });

    const out = await svix.endpoint.transformation.get(appId, endpoint.id);
    assert.equal(out.code, code);
    assert.equal(out.enabled, true);
  });

  it("an enabled transformation changes what the receiver gets", async () => {
    const path = `/t/${uniq("ep")}`;
    const endpoint = await svix.endpoint.create(appId, { url: `${receiver.url}${path}` });
    await svix.endpoint.transformation.patch(appId, endpoint.id, {
      code: "function handler(webhook) { webhook.method = 'PUT'; webhook.payload = { doubled: webhook.payload.amount * 2 }; return webhook; }",
      enabled: true,
    });

    const msg = await svix.message.create(appId, { eventType, payload: { id: "00000000-0000-4000-8000-000000000000", amount: 21 } });

    const [hook] = await receiver.waitFor((r) => r.path === path && r.headers["webhook-id"] === msg.id, {
      explain: explainAttempts(appId, endpoint.id),
    });
    assert.equal(hook.method, "PUT");
    assert.deepEqual(JSON.parse(hook.body.toString("utf8")), { doubled: 42 });
  });

  it("code that does not parse is refused with a 422", async () => {
    const endpoint = await svix.endpoint.create(appId, { url: `${receiver.url}/t/${uniq("ep")}` });
    await expectApiError(svix.endpoint.transformation.patch(appId, endpoint.id, { code: "function handler( {", enabled: true }), 422);
  });
});
