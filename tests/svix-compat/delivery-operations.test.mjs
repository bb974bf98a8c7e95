// Delivery operations an SDK user drives: event-type filters honored in delivery, send-example, recover,
// replay-missing, bulk-replay (each a background task), endpoint stats, the attempt list variants and content
// expunging. Needs a real receiver (Herald__Delivery__AllowedNetworks__0=127.0.0.0/8) and a short retry schedule
// (Herald__Delivery__RetrySchedule__0=00:00:00.2) so a failing message reaches "fail" within the test.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { F, V1, assertListShape, expectApiError, quietly, svix, uniq } from "./helpers.mjs";
import { eventually, explainAttempts, startReceiver } from "./receiver.mjs";

const MESSAGE_STATUS = { success: 0, pending: 1, fail: 2, sending: 3 };

let receiver;
const failing = new Set(); // receiver paths that answer 500
const apps = [];
const eventTypes = [];

before(async () => {
  receiver = await startReceiver({ status: (r) => (failing.has(r.path) ? 500 : 200) });
});

after(async () => {
  for (const id of apps) await quietly(() => svix.application.delete(id));
  for (const name of eventTypes) await quietly(() => svix.eventType.delete(name, { expunge: true }));
  await receiver?.close();
});

async function newEventType(schemas) {
  const name = uniq("compat.ops");
  await svix.eventType.create({ name, description: "delivery operations", ...(schemas ? { schemas } : {}) });
  eventTypes.push(name);
  return name;
}

async function newApp() {
  const app = await svix.application.create({ name: uniq("Compat Ops") });
  apps.push(app.id);
  return app.id;
}

function newPath() {
  return `/ops/${uniq("ep")}`;
}

const received = (path, msgId) => (r) => r.path === path && r.headers["webhook-id"] === msgId;
const minuteAgo = () => new Date(Date.now() - 60_000);

/** Waits for a background task to leave "running" and asserts it finished; returns the task. */
async function finished(taskId) {
  const task = await eventually(() => svix.backgroundTask.get(taskId), (t) => t.status !== "running", `task ${taskId}`);
  assert.equal(task.status, "finished", `task ${taskId}: ${JSON.stringify(task)}`);
  return task;
}

/** Waits until the message's delivery to the endpoint has the given status (attempted-destinations view). */
async function deliveryStatus(appId, msgId, endpointId, status) {
  return eventually(
    () => svix.messageAttempt.listAttemptedDestinations(appId, msgId),
    (page) => page.data.some((d) => d.id === endpointId && d.status === status),
    `delivery of ${msgId} reaching status ${status}`,
    20_000
  );
}

describe("event-type filter in delivery", () => {
  it(`an endpoint created with ${F.eventTypes} only gets those event types`, async () => {
    const [wanted, other] = [await newEventType(), await newEventType()];
    const appId = await newApp();
    const path = newPath();
    const endpoint = await svix.endpoint.create(appId, { url: `${receiver.url}${path}`, [F.eventTypes]: [wanted] });
    const skipped = await svix.message.create(appId, { eventType: other, payload: { n: 1 } });
    const sent = await svix.message.create(appId, { eventType: wanted, payload: { n: 2 } });

    await receiver.waitFor(received(path, sent.id), { explain: explainAttempts(appId, endpoint.id) });
    const destinations = await svix.messageAttempt.listAttemptedDestinations(appId, skipped.id);
    assert.deepEqual(destinations.data, [], "the filtered-out message was never routed to the endpoint");
    assert.ok(!receiver.received.some((r) => r.headers["webhook-id"] === skipped.id));
  });
});

describe("endpoint.sendExample", () => {
  it("sends the event type's schema example to that endpoint only and returns the message", async () => {
    const example = { invoiceId: uniq("inv"), amount: 10 };
    const eventType = await newEventType({ 1: { type: "object", examples: [example] } });
    const appId = await newApp();
    const [path, otherPath] = [newPath(), newPath()];
    const endpoint = await svix.endpoint.create(appId, { url: `${receiver.url}${path}` });
    await svix.endpoint.create(appId, { url: `${receiver.url}${otherPath}` });

    const msg = await svix.endpoint.sendExample(appId, endpoint.id, { eventType });
    assert.equal(msg.eventType, eventType);
    assert.ok(msg.id.startsWith("msg_"));
    const [hook] = await receiver.waitFor(received(path, msg.id), { explain: explainAttempts(appId, endpoint.id) });
    assert.deepEqual(JSON.parse(hook.body.toString("utf8")), example);
    const destinations = await svix.messageAttempt.listAttemptedDestinations(appId, msg.id);
    assert.deepEqual(destinations.data.map((d) => d.id), [endpoint.id], "only the chosen endpoint");
  });

  it("an unknown event type is refused", async () => {
    const appId = await newApp();
    const endpoint = await svix.endpoint.create(appId, { url: `${receiver.url}${newPath()}` });
    await expectApiError(svix.endpoint.sendExample(appId, endpoint.id, { eventType: uniq("compat.none") }), [404, 422]);
  });
});

describe("endpoint.recover", () => {
  let appId, endpoint, path, msg, task;

  before(async () => {
    const eventType = await newEventType();
    appId = await newApp();
    path = newPath();
    failing.add(path);
    endpoint = await svix.endpoint.create(appId, { url: `${receiver.url}${path}` });
    msg = await svix.message.create(appId, { eventType, payload: { recover: true } });
    await deliveryStatus(appId, msg.id, endpoint.id, MESSAGE_STATUS.fail);
    failing.delete(path);
    task = await svix.endpoint.recover(appId, endpoint.id, { since: minuteAgo() });
  });

  it("returns a background task of type endpoint.recover", () => {
    assert.match(task.id, /^qtask_/);
    assert.equal(task.task, "endpoint.recover");
    assert.ok(["running", "finished"].includes(task.status), task.status);
    assert.ok(task.updatedAt instanceof Date);
  });

  it("sends the failed message again, and it succeeds", async () => {
    await receiver.waitFor((r) => r.path === path && r.headers["webhook-id"] === msg.id, { count: 2 });
    await deliveryStatus(appId, msg.id, endpoint.id, MESSAGE_STATUS.success);
  });

  it("the task can be looked up and finishes", async () => {
    const done = await finished(task.id);
    assert.equal(done.task, "endpoint.recover");
    const list = await svix.backgroundTask.list({ task: "endpoint.recover" });
    assertListShape(list);
    assert.ok(list.data.some((t) => t.id === task.id), "listed by backgroundTask.list");
  });

  it("getStats counts the endpoint's messages by state", async () => {
    await deliveryStatus(appId, msg.id, endpoint.id, MESSAGE_STATUS.success);
    const stats = await svix.endpoint.getStats(appId, endpoint.id);
    assert.deepEqual(
      { success: stats.success, pending: stats.pending, sending: stats.sending, fail: stats.fail },
      { success: 1, pending: 0, sending: 0, fail: 0 }
    );
    const future = await svix.endpoint.getStats(appId, endpoint.id, { since: new Date(Date.now() + 3_600_000) });
    assert.equal(future.success, 0, "since excludes older messages");
  });

  it("until before since is refused with 422", async () => {
    await expectApiError(svix.endpoint.recover(appId, endpoint.id, { since: new Date(), until: minuteAgo() }), 422);
  });
});

describe("endpoint.replayMissing", () => {
  it("sends the messages the endpoint never got (created after since), once", async () => {
    const eventType = await newEventType();
    const appId = await newApp();
    const before1 = await svix.message.create(appId, { eventType, payload: { missing: 1 } });
    const path = newPath();
    const endpoint = await svix.endpoint.create(appId, { url: `${receiver.url}${path}` });
    const delivered = await svix.message.create(appId, { eventType, payload: { delivered: 1 } });
    await receiver.waitFor(received(path, delivered.id), { explain: explainAttempts(appId, endpoint.id) });

    const task = await svix.endpoint.replayMissing(appId, endpoint.id, { since: minuteAgo() });
    assert.match(task.id, /^qtask_/);
    assert.equal(task.task, "endpoint.replay");
    await receiver.waitFor(received(path, before1.id));
    const done = await finished(task.id);
    assert.equal(done.data?.messagesSent, 1, `task data: ${JSON.stringify(done.data)}`);

    const again = await finished((await svix.endpoint.replayMissing(appId, endpoint.id, { since: minuteAgo() })).id);
    assert.equal(again.data?.messagesSent, 0, "nothing is missing any more");
    assert.equal(receiver.received.filter(received(path, delivered.id)).length, 1, "the delivered message was not resent");
  });
});

describe("endpoint.bulkReplay", () => {
  it("replays the endpoint's messages that match the filters, successful ones too", async () => {
    const [typeA, typeB] = [await newEventType(), await newEventType()];
    const appId = await newApp();
    const path = newPath();
    const endpoint = await svix.endpoint.create(appId, { url: `${receiver.url}${path}` });
    const a = await svix.message.create(appId, { eventType: typeA, payload: { a: 1 } });
    const b = await svix.message.create(appId, { eventType: typeB, payload: { b: 1 } });
    await receiver.waitFor(received(path, a.id));
    await receiver.waitFor(received(path, b.id));

    const task = await svix.endpoint.bulkReplay(appId, endpoint.id, { since: minuteAgo(), eventTypes: [typeA] });
    assert.equal(task.task, "endpoint.bulk-replay");
    await receiver.waitFor(received(path, a.id), { count: 2 });
    const done = await finished(task.id);
    assert.equal(done.data?.messagesSent, 1, `task data: ${JSON.stringify(done.data)}`);
    assert.equal(receiver.received.filter(received(path, b.id)).length, 1, "typeB was filtered out");
  });
});

describe("messageAttempt list variants and content", () => {
  let appId, endpoint, path, ok, bad;

  before(async () => {
    const eventType = await newEventType();
    appId = await newApp();
    path = newPath();
    endpoint = await svix.endpoint.create(appId, { url: `${receiver.url}${path}` });
    ok = await svix.message.create(appId, { eventType, payload: { ok: 1 }, tags: ["compat-ok"], channels: ["compat-ok"] });
    await deliveryStatus(appId, ok.id, endpoint.id, MESSAGE_STATUS.success);
    failing.add(path);
    bad = await svix.message.create(appId, { eventType, payload: { bad: 1 } });
    await deliveryStatus(appId, bad.id, endpoint.id, MESSAGE_STATUS.fail);
    failing.delete(path);
  });

  it("listByEndpoint filters by status", async () => {
    const succeeded = await svix.messageAttempt.listByEndpoint(appId, endpoint.id, { status: MESSAGE_STATUS.success });
    assert.deepEqual([...new Set(succeeded.data.map((x) => x.msgId))], [ok.id]);
    const failed = await svix.messageAttempt.listByEndpoint(appId, endpoint.id, { status: MESSAGE_STATUS.fail });
    assert.ok(failed.data.length >= 1);
    assert.ok(failed.data.every((x) => x.msgId === bad.id && x.responseStatusCode === 500));
  });

  it("listByEndpoint with withMsg carries each attempt's message", async () => {
    const page = await svix.messageAttempt.listByEndpoint(appId, endpoint.id, { status: MESSAGE_STATUS.success, withMsg: true });
    assert.ok(page.data.length >= 1);
    for (const attempt of page.data) {
      assert.equal(attempt.msg?.id, attempt.msgId, `attempt ${attempt.id} carries its message`);
      assert.equal(typeof attempt.msg.eventType, "string");
    }
  });

  it("listByMsg filters by endpoint and by tag", async () => {
    const byEndpoint = await svix.messageAttempt.listByMsg(appId, ok.id, { endpointId: endpoint.id });
    assert.equal(byEndpoint.data.length, 1);
    const otherEndpoint = await svix.endpoint.create(appId, { url: "https://example.com/herald-compat/other" });
    const none = await svix.messageAttempt.listByMsg(appId, ok.id, { endpointId: otherEndpoint.id });
    assert.deepEqual(none.data, []);
    assert.deepEqual((await svix.messageAttempt.listByMsg(appId, bad.id, { tag: "compat-ok" })).data, []);
  });

  it("listAttemptedMessages lists the endpoint's messages with their delivery state", async () => {
    const page = await svix.messageAttempt.listAttemptedMessages(appId, endpoint.id);
    assertListShape(page);
    const byId = Object.fromEntries(page.data.map((m) => [m.id, m]));
    assert.equal(byId[ok.id]?.status, MESSAGE_STATUS.success);
    assert.equal(byId[bad.id]?.status, MESSAGE_STATUS.fail);
    const onlyOk = await svix.messageAttempt.listAttemptedMessages(appId, endpoint.id, { channel: "compat-ok" });
    assert.deepEqual(onlyOk.data.map((m) => m.id), [ok.id]);
    const failedOnly = await svix.messageAttempt.listAttemptedMessages(appId, endpoint.id, { status: MESSAGE_STATUS.fail });
    assert.deepEqual(failedOnly.data.map((m) => m.id), [bad.id]);
  });

  it("expungeContent removes an attempt's response body", async () => {
    // svix 2.x lists with with_content=false unless told otherwise (and Herald honors it: the response reads "{}").
    const [attempt] = (await svix.messageAttempt.listByMsg(appId, ok.id, { withContent: true })).data;
    assert.match(attempt.response, /ok/);
    assert.equal(await svix.messageAttempt.expungeContent(appId, ok.id, attempt.id), undefined);
    const after = await svix.messageAttempt.get(appId, ok.id, attempt.id);
    assert.doesNotMatch(after.response ?? "", /ok/);
  });
});

describe("message content expunging", () => {
  it("expungeAllContents drops every payload of the application as a background task", async () => {
    const eventType = await newEventType();
    const appId = await newApp();
    const msgs = [];
    for (let i = 0; i < 3; i++) msgs.push(await svix.message.create(appId, { eventType, payload: { secret: i } }));

    const task = await svix.message.expungeAllContents(appId);
    assert.match(task.id, /^qtask_/);
    assert.equal(task.task, "application.purge_content");
    await finished(task.id);
    for (const m of msgs) {
      const got = await svix.message.get(appId, m.id, { withContent: true });
      assert.deepEqual(got.payload ?? {}, {}, `payload of ${m.id} is gone`);
    }
  });

  // 1.x SDKs have no bulkExpungeContent.
  if (!V1) {
    it("bulkExpungeContent expunges the given messages and reports unknown ids", async () => {
      const eventType = await newEventType();
      const appId = await newApp();
      const gone = await svix.message.create(appId, { eventType, payload: { drop: 1 } });
      const kept = await svix.message.create(appId, { eventType, payload: { keep: 1 } });
      const missing = uniq("compat-no-msg");

      const out = await svix.message.bulkExpungeContent(appId, { ids: [gone.id, missing] });
      assert.deepEqual(out.results, { [gone.id]: "expunged", [missing]: "not-found" });
      assert.deepEqual((await svix.message.get(appId, gone.id, { withContent: true })).payload ?? {}, {});
      assert.deepEqual((await svix.message.get(appId, kept.id, { withContent: true })).payload, { keep: 1 });
    });
  }
});
