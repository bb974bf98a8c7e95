import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { assertRecentDate, expectApiError, svix, uniq } from "./helpers.mjs";

// Pull delivery through the SDK: a polling endpoint is a destination of type "pollingEndpoint",
// read with message.poller (poll, consumerPoll, consumerSeek).
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
    const sink = await svix.destination.create(appId, { type: "pollingEndpoint", config: {}, eventTypes: [eventType] });
    assert.equal(sink.type, "pollingEndpoint");
    assert.equal(sink.status, "enabled");
    assert.deepEqual(sink.eventTypes, [eventType]);
    assertRecentDate(sink.createdAt, "createdAt");
    sinkId = sink.id;
    for (let n = 0; n < 3; n++) {
      const msg = await svix.message.create(appId, { eventType, payload: { n } });
      published.push(msg.id);
    }
    await svix.message.create(appId, { eventType: uniq("other.evt"), payload: { n: -1 } });
  });

  it("destination get and list return the polling endpoint", async () => {
    const got = await svix.destination.get(appId, sinkId);
    assert.equal(got.id, sinkId);
    const list = await svix.destination.list(appId);
    assert.deepEqual(list.data.map((d) => d.id), [sinkId]);
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
