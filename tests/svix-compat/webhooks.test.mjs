// Webhook delivery as an SDK user sees it: a real HTTP receiver inside the test, the webhook verified with
// the SDK's own Webhook class, then the attempt log and resend through svix.messageAttempt.
// Herald must be allowed to connect to loopback (Herald__Delivery__AllowedNetworks__0=127.0.0.0/8).

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { Webhook as StandardWebhook } from "standardwebhooks";
import { F, Webhook, assertListShape, assertRecentDate, quietly, svix, uniq } from "./helpers.mjs";
import { eventually, explainAttempts, headerSet, startReceiver } from "./receiver.mjs";

describe("webhook delivery", () => {
  const eventType = uniq("compat.webhook");
  const payload = { type: "order", order: { id: uniq("ord"), total: 12.5, items: ["a", "b"], note: "Grüße ✓" } };
  let receiver;
  let appId;
  let endpoint;
  let secret;
  let msg;
  let first; // the first webhook received

  const explain = () => explainAttempts(appId, endpoint.id)();

  before(async () => {
    receiver = await startReceiver();
    await svix.eventType.create({ name: eventType, description: "compat webhook type" });
    appId = (await svix.application.create({ name: uniq("Compat Webhooks") })).id;
    endpoint = await svix.endpoint.create(appId, { url: `${receiver.url}/hooks/${uniq("ep")}`, [F.eventTypes]: [eventType] });
    secret = (await svix.endpoint.getSecret(appId, endpoint.id)).key;
    msg = await svix.message.create(appId, { eventType, payload });
    [first] = await receiver.waitFor((r) => r.headers["webhook-id"] === msg.id, { explain });
  });

  after(async () => {
    await quietly(() => svix.application.delete(appId));
    await quietly(() => svix.eventType.delete(eventType, { expunge: true }));
    await receiver?.close();
  });

  it("arrives as a POST to the endpoint URL carrying the message id", () => {
    assert.equal(first.method, "POST");
    assert.equal(first.path, new URL(endpoint.url).pathname);
    assert.equal(first.headers["webhook-id"], msg.id);
    assert.match(first.headers["content-type"], /^application\/json/);
  });

  it("verifies with the SDK's Webhook class and the endpoint secret from getSecret", () => {
    assert.doesNotThrow(() => new Webhook(secret).verify(first.body, first.headers));
    // Also given the body as a string, as most frameworks hand it over.
    assert.doesNotThrow(() => new Webhook(secret).verify(first.body.toString("utf8"), first.headers));
  });

  it("carries both header sets by default: svix-* and webhook-*, with the same values", () => {
    for (const name of ["id", "timestamp", "signature"]) {
      assert.equal(typeof first.headers[`svix-${name}`], "string", `svix-${name} is sent`);
      assert.equal(first.headers[`svix-${name}`], first.headers[`webhook-${name}`], `svix-${name} equals webhook-${name}`);
    }
    assert.equal(first.headers["svix-id"], msg.id);
  });

  it("the svix SDK's Webhook class verifies the svix-* header set alone", () => {
    const svixHeaders = headerSet(first.headers, "svix-");
    assert.deepEqual(Object.keys(svixHeaders).sort(), ["svix-id", "svix-signature", "svix-timestamp"]);
    assert.doesNotThrow(() => new Webhook(secret).verify(first.body, svixHeaders));
  });

  it("the standardwebhooks library verifies the webhook-* header set alone", () => {
    const standardHeaders = headerSet(first.headers, "webhook-");
    assert.deepEqual(Object.keys(standardHeaders).sort(), ["webhook-id", "webhook-signature", "webhook-timestamp"]);
    const verified = new StandardWebhook(secret).verify(first.body.toString("utf8"), standardHeaders);
    assert.deepEqual(verified, payload);
    const tampered = first.body.toString("utf8").replace("12.5", "125");
    assert.throws(() => new StandardWebhook(secret).verify(tampered, standardHeaders));
  });

  it("carries exactly the published payload", () => {
    assert.deepEqual(JSON.parse(first.body.toString("utf8")), payload);
    assert.equal(first.body.toString("utf8"), JSON.stringify(payload), "the body is the bytes the SDK published");
  });

  it("fails verification when body, secret or timestamp is wrong", () => {
    const tampered = Buffer.from(first.body.toString("utf8").replace("12.5", "125"));
    assert.throws(() => new Webhook(secret).verify(tampered, first.headers));
    assert.throws(() => new Webhook(`whsec_${Buffer.alloc(32, 7).toString("base64")}`).verify(first.body, first.headers));
    const hourAgo = String(Math.floor(Date.now() / 1000) - 3600);
    const stale = { ...first.headers, "webhook-timestamp": hourAgo, ...(first.headers["svix-timestamp"] ? { "svix-timestamp": hourAgo } : {}) };
    assert.throws(() => new Webhook(secret).verify(first.body, stale));
  });

  it("messageAttempt.listByMsg shows the successful attempt", async () => {
    const page = await eventually(
      () => svix.messageAttempt.listByMsg(appId, msg.id),
      (p) => p.data.length > 0,
      "an attempt of the message"
    );
    assertListShape(page);
    assert.equal(page.data.length, 1);
    const attempt = page.data[0];
    assert.equal(attempt.msgId, msg.id);
    assert.equal(attempt.endpointId, endpoint.id);
    assert.equal(attempt.url, endpoint.url);
    assert.equal(attempt.status, 0);
    assert.equal(attempt.statusText, "success");
    assert.equal(attempt.responseStatusCode, 200);
    assert.equal(attempt.triggerType, 0);
    assert.equal(typeof attempt.responseDurationMs, "number");
    assertRecentDate(attempt.timestamp, "attempt.timestamp");

    const one = await svix.messageAttempt.get(appId, msg.id, attempt.id);
    assert.equal(one.id, attempt.id);
    assert.equal(one.responseStatusCode, 200);
  });

  it("messageAttempt.listByEndpoint shows the same attempt", async () => {
    const page = await svix.messageAttempt.listByEndpoint(appId, endpoint.id, { status: 0 });
    assertListShape(page);
    assert.deepEqual(
      page.data.map((a) => [a.msgId, a.status, a.responseStatusCode]),
      [[msg.id, 0, 200]]
    );
  });

  it("messageAttempt.listAttemptedDestinations shows the endpoint with status success", async () => {
    const page = await svix.messageAttempt.listAttemptedDestinations(appId, msg.id);
    assertListShape(page);
    assert.equal(page.data.length, 1);
    assert.equal(page.data[0].id, endpoint.id);
    assert.equal(page.data[0].url, endpoint.url);
    assert.equal(page.data[0].status, 0);
    assert.equal(page.data[0].statusText, "success");
  });

  it("messageAttempt.resend delivers it again with the same webhook-id, and a manual attempt is logged", async () => {
    await svix.messageAttempt.resend(appId, msg.id, endpoint.id);
    const [, again] = await receiver.waitFor((r) => r.headers["webhook-id"] === msg.id, { count: 2, explain });
    assert.equal(again.headers["webhook-id"], first.headers["webhook-id"]);
    assert.doesNotThrow(() => new Webhook(secret).verify(again.body, again.headers));
    assert.deepEqual(again.body, first.body);

    const page = await eventually(
      () => svix.messageAttempt.listByMsg(appId, msg.id),
      (p) => p.data.length === 2,
      "two attempts of the message"
    );
    const manual = page.data.find((a) => a.triggerType === 1);
    assert.ok(manual, `a manual attempt is listed: ${JSON.stringify(page.data)}`);
    assert.equal(manual.status, 0);
    assert.equal(manual.responseStatusCode, 200);
  });
});
