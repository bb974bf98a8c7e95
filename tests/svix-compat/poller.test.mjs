import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { HERALD_TOKEN, HERALD_URL, V1, assertRecentDate, expectApiError, svix, uniq } from "./helpers.mjs";

// Pull delivery through the SDK: a polling endpoint is a destination of type "pollingEndpoint",
// read with message.poller (poll, consumerPoll, consumerSeek). 1.x SDKs have message.poller but no destination
// resource, so there the destination is created with a plain HTTP call, as a 1.x user would.

async function createDestination(appId, body) {
  if (!V1) return svix.destination.create(appId, body);
  const res = await fetch(`${HERALD_URL}/api/v1/app/${appId}/destination`, {
    method: "POST",
    headers: { authorization: `Bearer ${HERALD_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  assert.equal(res.status, 201, await res.clone().text());
  const json = await res.json();
  return { ...json, createdAt: new Date(json.createdAt), updatedAt: new Date(json.updatedAt) };
}
describe("message poller", () => {
  let appId;
  let sinkId;
  let eventType;
  const published = [];

  before(async () => {
    eventType = uniq("poll.evt");
    await svix.eventType.create({ name: eventType, description: "pulled" });
    const app = await svix.application.create({ name: uniq("poll-app") });
    appId = app.id;
    const sink = await createDestination(appId, { type: "pollingEndpoint", config: {}, eventTypes: [eventType] });
    assert.equal(sink.type, "pollingEndpoint");
    assert.equal(sink.status, "enabled");
    assert.deepEqual(sink.eventTypes, [eventType]);
    assertRecentDate(sink.createdAt, "createdAt");
    // Svix's DestinationOut requires these; a polling endpoint carries Svix's batching defaults.
    assert.equal(sink.batchSize, 100);
    assert.equal(sink.maxWaitSecs, 0);
    assert.equal(typeof sink.currentIterator, "string");
    sinkId = sink.id;
    for (let n = 0; n < 3; n++) {
      const msg = await svix.message.create(appId, { eventType, payload: { n } });
      published.push(msg.id);
    }
    await svix.message.create(appId, { eventType: uniq("other.evt"), payload: { n: -1 } });
  });

  // 1.x SDKs have no destination resource.
  if (!V1) {
    it("destination get and list return the polling endpoint", async () => {
      const got = await svix.destination.get(appId, sinkId);
      assert.equal(got.id, sinkId);
      assert.equal(got.batchSize, 100);
      assert.equal(typeof got.currentIterator, "string");
      const list = await svix.destination.list(appId);
      assert.deepEqual(list.data.map((d) => d.id), [sinkId]);
    });

    it("destination upsert, patch and delete", async () => {
      const uid = uniq("sink");
      const created = await svix.destination.upsert(appId, uid, { type: "pollingEndpoint", config: {}, metadata: { a: "1" } });
      assert.equal(created.uid, uid);
      assert.deepEqual(created.metadata, { a: "1" });
      const patched = await svix.destination.patch(appId, uid, { type: "pollingEndpoint", status: "disabled" });
      assert.equal(patched.status, "disabled");
      assert.deepEqual(patched.metadata, { a: "1" });
      await expectApiError(svix.message.poller.poll(appId, uid), 409);
      assert.equal(await svix.destination.delete(appId, uid), undefined);
      await expectApiError(svix.destination.get(appId, uid), 404, "not_found");
    });

    it("a batchSize other than Svix's default is refused with 422 naming it", async () => {
      const error = await expectApiError(
        svix.destination.create(appId, { type: "pollingEndpoint", config: {}, batchSize: 10 }),
        422
      );
      assert.match(JSON.stringify(error.body), /batchSize/);
    });
  }

  it("currentIterator is an iterator the poller accepts: polling from it returns every message", async () => {
    const sink = await createDestination(appId, { type: "pollingEndpoint", config: {}, eventTypes: [eventType] });
    const page = await svix.message.poller.poll(appId, sink.id, { iterator: sink.currentIterator });
    assert.deepEqual(page.data.map((m) => m.id), published);
  });

  it("poll returns the matching messages in commit order with their payloads", async () => {
    const page = await svix.message.poller.poll(appId, sinkId);
    assert.deepEqual(page.data.map((m) => m.id), published);
    assert.deepEqual(page.data.map((m) => m.payload.n), [0, 1, 2]);
    assert.equal(page.data[0].eventType, eventType);
    assert.equal(typeof page.iterator, "string");
    assert.equal(page.done, true);
  });

  it("poll with limit and iterator pages without repeats", async () => {
    const first = await svix.message.poller.poll(appId, sinkId, { limit: 2 });
    assert.deepEqual(first.data.map((m) => m.id), published.slice(0, 2));
    assert.equal(first.done, false);
    const second = await svix.message.poller.poll(appId, sinkId, { limit: 2, iterator: first.iterator });
    assert.deepEqual(second.data.map((m) => m.id), published.slice(2));
  });

  it("consumerPoll keeps a server-side cursor; passing the iterator commits it", async () => {
    const consumer = uniq("consumer");
    const first = await svix.message.poller.consumerPoll(appId, sinkId, consumer, { limit: 2 });
    assert.deepEqual(first.data.map((m) => m.id), published.slice(0, 2));
    const rest = await svix.message.poller.consumerPoll(appId, sinkId, consumer, { iterator: first.iterator });
    assert.deepEqual(rest.data.map((m) => m.id), published.slice(2));
    // Without an iterator it continues from what was committed (the first page).
    const resumed = await svix.message.poller.consumerPoll(appId, sinkId, consumer);
    assert.deepEqual(resumed.data.map((m) => m.id), published.slice(2));
  });

  it("consumerSeek moves the cursor to a time", async () => {
    const consumer = uniq("seeker");
    const seek = await svix.message.poller.consumerSeek(appId, sinkId, consumer, { after: new Date(Date.now() + 60_000) });
    assert.equal(typeof seek.iterator, "string");
    const page = await svix.message.poller.consumerPoll(appId, sinkId, consumer);
    assert.deepEqual(page.data, []);
  });

  it("an unknown sink is 404", async () => {
    await expectApiError(() => svix.message.poller.poll(appId, "sink_unknown"), 404, "not_found");
  });
});
