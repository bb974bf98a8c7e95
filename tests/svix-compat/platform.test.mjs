// Organisation-level resources: app-portal token lifecycle (readOnly, logout, expireAll), background tasks,
// statistics, event-type import from OpenAPI, operational webhook endpoints (and a delivered operational
// webhook, verified with the SDK's Webhook class).

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  F,
  PUT,
  SET_HEADERS,
  V1,
  Webhook,
  assertListShape,
  client,
  expectApiError,
  lowerKeys,
  newSecret,
  operationalEndpoints,
  quietly,
  svix,
  uniq,
} from "./helpers.mjs";
import { eventually, startReceiver } from "./receiver.mjs";

const apps = [];
async function newApp() {
  const app = await svix.application.create({ name: uniq("Compat Platform") });
  apps.push(app.id);
  return app.id;
}

after(async () => {
  for (const id of apps) await quietly(() => svix.application.delete(id));
});

describe("authentication token lifecycle", () => {
  it("a readOnly portal token can read but every write is 403", async () => {
    const appId = await newApp();
    const { token } = await svix.authentication.appPortalAccess(appId, { readOnly: true });
    const portal = client(token);
    assert.equal((await portal.application.get(appId)).id, appId);
    await portal.endpoint.list(appId);
    await expectApiError(portal.endpoint.create(appId, { url: "https://example.com/herald-compat/ro" }), 403);
    await expectApiError(portal.application.patch(appId, { name: "renamed" }), 403);
    const eventType = uniq("compat.ro");
    await svix.eventType.create({ name: eventType, description: "read-only check" });
    await expectApiError(portal.message.create(appId, { eventType, payload: {} }), 403);
    await quietly(() => svix.eventType.delete(eventType, { expunge: true }));
  });

  it("logout invalidates the portal token that calls it", async () => {
    const appId = await newApp();
    const { token } = await svix.authentication.appPortalAccess(appId, {});
    const portal = client(token);
    await portal.application.get(appId);
    assert.equal(await portal.authentication.logout(), undefined);
    await expectApiError(portal.application.get(appId), 401);
  });

  it("logout with the admin token is refused and the admin token keeps working", async () => {
    const error = await expectApiError(svix.authentication.logout(), [400, 403, 422]);
    assert.ok(error);
    await svix.application.list({ limit: 1 });
  });

  it("expireAll with expiry 0 invalidates every portal token of the application, not others", async () => {
    const appId = await newApp();
    const otherAppId = await newApp();
    const first = client((await svix.authentication.appPortalAccess(appId, {})).token);
    const second = client((await svix.authentication.appPortalAccess(appId, {})).token);
    const other = client((await svix.authentication.appPortalAccess(otherAppId, {})).token);
    await first.application.get(appId);

    assert.equal(await svix.authentication.expireAll(appId, { expiry: 0 }), undefined);
    await expectApiError(first.application.get(appId), 401);
    await expectApiError(second.application.get(appId), 401);
    assert.equal((await other.application.get(otherAppId)).id, otherAppId, "another application's token still works");
    const fresh = client((await svix.authentication.appPortalAccess(appId, {})).token);
    assert.equal((await fresh.application.get(appId)).id, appId, "tokens issued afterwards work");
  });
});

describe("backgroundTask", () => {
  it("list pages through tasks and get returns one; an unknown id is 404", async () => {
    const appId = await newApp();
    const endpoint = await svix.endpoint.create(appId, { url: "https://example.com/herald-compat/tasks" });
    const started = await svix.endpoint.recover(appId, endpoint.id, { since: new Date(Date.now() - 60_000) });
    const task = await eventually(() => svix.backgroundTask.get(started.id), (t) => t.status !== "running", "recover task");
    assert.equal(task.id, started.id);
    assert.equal(task.status, "finished");
    assert.equal(task.task, "endpoint.recover");

    const page = await svix.backgroundTask.list({ limit: 50 });
    assertListShape(page);
    assert.ok(page.data.some((t) => t.id === started.id));
    if (V1) {
      // 1.x keeps the deprecated listByEndpoint, the same list.
      assert.ok((await svix.backgroundTask.listByEndpoint({ limit: 50 })).data.some((t) => t.id === started.id));
    }
    const finishedOnly = await svix.backgroundTask.list({ status: "finished", task: "endpoint.recover" });
    assert.ok(finishedOnly.data.every((t) => t.status === "finished" && t.task === "endpoint.recover"));
    await expectApiError(svix.backgroundTask.get("qtask_2yZwUhtgs5Ai8T9yRQJXAx"), 404, "not_found");
  });
});

describe("statistics", () => {
  it("aggregateAppStats starts an application.stats task and names unknown apps", async () => {
    const appId = await newApp();
    const missing = uniq("compat-no-app");
    const out = await svix.statistics.aggregateAppStats({
      since: new Date(Date.now() - 3_600_000),
      until: new Date(),
      appIds: [appId, missing],
    });
    assert.match(out.id, /^qtask_/);
    assert.equal(out.task, "application.stats");
    assert.deepEqual(out.unresolvedAppIds, [missing]);
    const task = await eventually(() => svix.backgroundTask.get(out.id), (t) => t.status !== "running", "stats task");
    assert.equal(task.status, "finished");
  });

  it("aggregateEventTypes starts an event-type.aggregate task", async () => {
    const out = await svix.statistics.aggregateEventTypes();
    assert.equal(out.task, "event-type.aggregate");
    const task = await eventually(() => svix.backgroundTask.get(out.id), (t) => t.status !== "running", "aggregate task");
    assert.equal(task.status, "finished");
  });
});

describe("eventType.importOpenapi", () => {
  const name = uniq("compat.imported");
  const spec = () => ({
    openapi: "3.1.0",
    info: { title: "Compat", version: "1.0.0" },
    paths: {},
    webhooks: {
      [name]: {
        post: {
          description: "Imported from OpenAPI",
          requestBody: {
            content: { "application/json": { schema: { type: "object", properties: { id: { type: "string" } } } } },
          },
        },
      },
    },
  });

  after(async () => quietly(() => svix.eventType.delete(name, { expunge: true })));

  it("dryRun reports what would change and creates nothing", async () => {
    const out = await svix.eventType.importOpenapi({ spec: spec(), dryRun: true });
    assert.ok(out.data.toModify?.some((e) => e.name === name), JSON.stringify(out.data));
    await expectApiError(svix.eventType.get(name), 404, "not_found");
  });

  it("creates the event types of the spec's webhooks with their schema", async () => {
    const out = await svix.eventType.importOpenapi({ spec: spec() });
    assert.ok(out.data.modified.includes(name), JSON.stringify(out.data));
    const created = await svix.eventType.get(name);
    assert.equal(created.description, "Imported from OpenAPI");
    assert.deepEqual(created.schemas?.["1"]?.properties, { id: { type: "string" } });
  });
});

describe("operational webhook endpoints", () => {
  let receiver;
  let endpoint;
  const uid = uniq("compat-opwh");
  const secret = newSecret();

  before(async () => {
    receiver = await startReceiver();
    endpoint = await operationalEndpoints.create({
      url: `${receiver.url}/operational/${uid}`,
      uid,
      secret,
      description: "compat operational",
      [F.eventTypes]: ["endpoint.created", "endpoint.enabled", "endpoint.disabled"],
      metadata: { suite: "compat" },
    });
  });

  after(async () => {
    if (endpoint) await quietly(() => operationalEndpoints.delete(endpoint.id));
    await receiver?.close();
  });

  it("create, get (by id and uid) and list return the endpoint", async () => {
    assert.equal(endpoint.uid, uid);
    assert.deepEqual(endpoint[F.eventTypes], ["endpoint.created", "endpoint.enabled", "endpoint.disabled"]);
    assert.deepEqual(endpoint.metadata, { suite: "compat" });
    assert.equal((await operationalEndpoints.get(endpoint.id)).url, endpoint.url);
    assert.equal((await operationalEndpoints.get(uid)).id, endpoint.id);
    const page = await operationalEndpoints.list();
    assertListShape(page);
    assert.ok(page.data.some((e) => e.id === endpoint.id));
  });

  it("secret and headers round-trip", async () => {
    assert.equal((await operationalEndpoints.getSecret(endpoint.id)).key, secret);
    await operationalEndpoints[SET_HEADERS](endpoint.id, { headers: { "X-Compat-Op": "1" } });
    assert.deepEqual(lowerKeys((await operationalEndpoints.getHeaders(endpoint.id)).headers), { "x-compat-op": "1" });
  });

  it("an endpoint.created operational webhook arrives, signed with the operational endpoint's secret", async () => {
    const appId = await newApp();
    const created = await svix.endpoint.create(appId, { url: "https://example.com/herald-compat/observed" });
    const [hook] = await receiver.waitFor((r) => JSON.parse(r.body.toString("utf8")).data?.endpointId === created.id);
    // verify throws when the signature does not hold (svix 2.x returns nothing, 1.x the parsed body).
    new Webhook(secret).verify(hook.body, hook.headers);
    const body = JSON.parse(hook.body.toString("utf8"));
    assert.equal(body.type, "endpoint.created");
    assert.equal(body.data.appId, appId);
  });

  it("disabling and enabling an endpoint emits endpoint.disabled and endpoint.enabled", async () => {
    const appId = await newApp();
    const created = await svix.endpoint.create(appId, { url: "https://example.com/herald-compat/toggled" });
    await svix.endpoint.patch(appId, created.id, { disabled: true });
    await svix.endpoint.patch(appId, created.id, { disabled: false });
    const typesFor = (r) => {
      const body = JSON.parse(r.body.toString("utf8"));
      return body.data?.endpointId === created.id ? body.type : null;
    };
    await receiver.waitFor((r) => typesFor(r) === "endpoint.disabled");
    await receiver.waitFor((r) => typesFor(r) === "endpoint.enabled");
  });

  it("upsert (PUT) replaces it, rotateSecret changes the secret, delete removes it", async () => {
    const replaced = await operationalEndpoints[PUT](endpoint.id, {
      url: `${receiver.url}/operational/${uid}/v2`,
      uid,
      [F.eventTypes]: ["endpoint.created", "endpoint.enabled", "endpoint.disabled"],
    });
    assert.equal(replaced.url, `${receiver.url}/operational/${uid}/v2`);
    await operationalEndpoints.rotateSecret(endpoint.id, {});
    assert.notEqual((await operationalEndpoints.getSecret(endpoint.id)).key, secret);

    const temporary = await operationalEndpoints.create({ url: "https://example.com/herald-compat/op-temp" });
    assert.equal(await operationalEndpoints.delete(temporary.id), undefined);
    await expectApiError(operationalEndpoints.get(temporary.id), 404, "not_found");
  });

  it("an application's portal token may not manage operational endpoints", async () => {
    const appId = await newApp();
    const portal = client((await svix.authentication.appPortalAccess(appId, {})).token);
    const portalOps = portal.operationalWebhookEndpoint ?? portal.operationalWebhook.endpoint;
    await expectApiError(portalOps.list(), [401, 403]);
  });
});
