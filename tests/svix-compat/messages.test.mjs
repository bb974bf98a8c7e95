import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  V1,
  assertListShape,
  assertRecentDate,
  expectApiError,
  quietly,
  sleep,
  sorted,
  svix,
  uniq,
} from "./helpers.mjs";
import { explainAttempts, startReceiver } from "./receiver.mjs";

function invoicePayload(n) {
  return {
    type: "invoice",
    invoice: {
      id: `inv_${n}`,
      amount: 1234 + n,
      currency: "EUR",
      paid: true,
      note: null,
      customer: { name: "Grüße ✓", tags: ["vip", "eu"] },
      lines: [
        { sku: "a", qty: 2, price: 1.5 },
        { sku: "b", qty: 1, price: 0.25 },
      ],
    },
  };
}

/** The message ids of a list page, in order. */
function ids(page) {
  return page.data.map((m) => m.id);
}

describe("message", () => {
  const eventTypeA = uniq("compat.msg.a");
  const eventTypeB = uniq("compat.msg.b");
  const appIds = [];
  let appId;

  before(async () => {
    await svix.eventType.create({ name: eventTypeA, description: "compat message type A" });
    await svix.eventType.create({ name: eventTypeB, description: "compat message type B" });
    appId = (await svix.application.create({ name: uniq("Compat Messages") })).id;
    appIds.push(appId);
  });

  after(async () => {
    for (const id of appIds) await quietly(() => svix.application.delete(id));
    for (const n of [eventTypeA, eventTypeB]) await quietly(() => svix.eventType.delete(n, { expunge: true }));
  });

  describe("create and get", () => {
    const payload = invoicePayload(1);
    const eventId = uniq("compat-evt");
    const channels = ["compat-ch-a", "compat-ch-b"];
    const tags = ["compat-tag-a", "compat-tag-b"];
    let msg;

    before(async () => {
      msg = await svix.message.create(appId, { eventType: eventTypeA, payload, eventId, channels, tags });
    });

    it("create returns the message (2.x: payload omitted by default; 1.x: the SDK copies it in)", () => {
      assert.equal(typeof msg.id, "string");
      assert.ok(msg.id.startsWith("msg_"), `message id ${msg.id} starts with msg_`);
      assert.equal(msg.eventType, eventTypeA);
      assert.equal(msg.eventId, eventId);
      assert.deepEqual(sorted(msg.channels), sorted(channels));
      assert.deepEqual(sorted(msg.tags), sorted(tags));
      assertRecentDate(msg.timestamp, "timestamp");
      // Both SDKs send with_content=false; 1.x then puts the payload it sent into the response itself.
      assert.deepEqual(msg.payload, V1 ? payload : {});
    });

    it("create with withContent returns the payload", async () => {
      const other = invoicePayload(2);
      const created = await svix.message.create(
        appId,
        { eventType: eventTypeB, payload: other },
        { withContent: true }
      );
      assert.ok(created.id.startsWith("msg_"));
      assert.notEqual(created.id, msg.id);
      assert.equal(created.eventType, eventTypeB);
      assert.deepEqual(created.payload, other);
      assert.equal(created.eventId ?? null, null);
    });

    it("create with an eventId already used in the app is 409", async () => {
      await expectApiError(svix.message.create(appId, { eventType: eventTypeA, payload, eventId }), 409);
    });

    it("get with withContent returns the full payload", async () => {
      const got = await svix.message.get(appId, msg.id, { withContent: true });
      assert.equal(got.id, msg.id);
      assert.equal(got.eventType, eventTypeA);
      assert.equal(got.eventId, eventId);
      assert.deepEqual(sorted(got.channels), sorted(channels));
      assert.deepEqual(sorted(got.tags), sorted(tags));
      assert.ok(Math.abs(got.timestamp - msg.timestamp) < 1000, "timestamp is stable");
      assert.deepEqual(got.payload, payload);
    });

    it("get without withContent: 2.x asks for no content ({}), 1.x sends no with_content and gets Svix's default (the payload)", async () => {
      const got = await svix.message.get(appId, msg.id);
      assert.equal(got.id, msg.id);
      assert.deepEqual(got.payload, V1 ? payload : {});
    });

    it("get with withContent: false returns an empty payload", async () => {
      const got = await svix.message.get(appId, msg.id, { withContent: false });
      assert.deepEqual(got.payload, {});
    });

    it("get by eventId returns the same message", async () => {
      const got = await svix.message.get(appId, eventId, { withContent: true });
      assert.equal(got.id, msg.id);
      assert.equal(got.eventId, eventId);
      assert.deepEqual(got.payload, payload);
    });

    it("get of an unknown message is 404 not_found", async () => {
      await expectApiError(svix.message.get(appId, uniq("compat-no-such-msg")), 404, "not_found");
    });

    it("expungeContent drops the payload but keeps the message", async () => {
      assert.equal(await svix.message.expungeContent(appId, msg.id), undefined);
      const got = await svix.message.get(appId, msg.id, { withContent: true });
      assert.equal(got.id, msg.id);
      assert.equal(got.eventType, eventTypeA);
      assert.equal(got.eventId, eventId);
      assert.ok(
        got.payload == null || (typeof got.payload === "object" && Object.keys(got.payload).length === 0),
        `payload after expunge should be {} (or null), got ${JSON.stringify(got.payload)}`
      );
    });
  });

  describe("list", () => {
    let listAppId;
    let m1, m2, m3; // created in this order, > 1 s apart
    const payloads = [invoicePayload(11), invoicePayload(12), invoicePayload(13)];
    const chA = uniq("compat-ch-a");
    const chB = uniq("compat-ch-b");
    const tagA = uniq("compat-tag-a");
    const tagB = uniq("compat-tag-b");

    before(async () => {
      listAppId = (await svix.application.create({ name: uniq("Compat Message List") })).id;
      appIds.push(listAppId);
      m1 = await svix.message.create(listAppId, {
        eventType: eventTypeA,
        payload: payloads[0],
        channels: [chA],
        tags: [tagA],
      });
      await sleep(1100);
      m2 = await svix.message.create(listAppId, {
        eventType: eventTypeB,
        payload: payloads[1],
        channels: [chB],
        tags: [tagA],
      });
      await sleep(1100);
      m3 = await svix.message.create(listAppId, {
        eventType: eventTypeA,
        payload: payloads[2],
        channels: [chA, chB],
        tags: [tagB],
      });
    });

    it("lists newest first (2.x: without payloads by default; 1.x: Svix's default, with them)", async () => {
      const page = await svix.message.list(listAppId);
      assertListShape(page);
      assert.deepEqual(ids(page), [m3.id, m2.id, m1.id]);
      for (let i = 1; i < page.data.length; i++) {
        assert.ok(page.data[i - 1].timestamp >= page.data[i].timestamp, "timestamps are descending");
      }
      assert.deepEqual(
        page.data.map((m) => m.payload),
        V1 ? [payloads[2], payloads[1], payloads[0]] : [{}, {}, {}]
      );
      const listed = page.data[2];
      assert.equal(listed.eventType, eventTypeA);
      assert.deepEqual(listed.channels, [chA]);
      assert.deepEqual(listed.tags, [tagA]);
    });

    it("withContent includes the payloads", async () => {
      const page = await svix.message.list(listAppId, { withContent: true });
      assert.deepEqual(ids(page), [m3.id, m2.id, m1.id]);
      assert.deepEqual(
        page.data.map((m) => m.payload),
        [payloads[2], payloads[1], payloads[0]]
      );
    });

    it("filters by event types (comma-joined)", async () => {
      assert.deepEqual(ids(await svix.message.list(listAppId, { eventTypes: [eventTypeA] })), [m3.id, m1.id]);
      assert.deepEqual(ids(await svix.message.list(listAppId, { eventTypes: [eventTypeB] })), [m2.id]);
      assert.deepEqual(
        ids(await svix.message.list(listAppId, { eventTypes: [eventTypeA, eventTypeB] })),
        [m3.id, m2.id, m1.id]
      );
    });

    it("filters by channel", async () => {
      assert.deepEqual(ids(await svix.message.list(listAppId, { channel: chB })), [m3.id, m2.id]);
      assert.deepEqual(ids(await svix.message.list(listAppId, { channel: chA })), [m3.id, m1.id]);
      assert.deepEqual(ids(await svix.message.list(listAppId, { channel: uniq("compat-ch-none") })), []);
    });

    it("filters by tag", async () => {
      assert.deepEqual(ids(await svix.message.list(listAppId, { tag: tagA })), [m2.id, m1.id]);
      assert.deepEqual(ids(await svix.message.list(listAppId, { tag: tagB })), [m3.id]);
    });

    it("filters by before / after", async () => {
      const afterM1 = new Date(m1.timestamp.getTime() + 500);
      const afterM2 = new Date(m2.timestamp.getTime() + 500);
      assert.deepEqual(ids(await svix.message.list(listAppId, { after: afterM1 })), [m3.id, m2.id]);
      assert.deepEqual(ids(await svix.message.list(listAppId, { before: afterM2 })), [m2.id, m1.id]);
      assert.deepEqual(ids(await svix.message.list(listAppId, { after: afterM1, before: afterM2 })), [m2.id]);
    });

    it("combines filters", async () => {
      assert.deepEqual(
        ids(await svix.message.list(listAppId, { eventTypes: [eventTypeA], channel: chB })),
        [m3.id]
      );
    });

    it("paginates with limit 1, newest first, without repeats", async () => {
      const seen = [];
      let iterator;
      for (let pages = 0; ; pages++) {
        assert.ok(pages < 10, "pagination did not finish");
        const page = await svix.message.list(listAppId, { limit: 1, iterator });
        assertListShape(page);
        assert.ok(page.data.length <= 1, `limit 1 returned ${page.data.length} items`);
        seen.push(...ids(page));
        if (page.done || page.data.length === 0) break;
        assert.equal(typeof page.iterator, "string", "a page with done=false must carry an iterator");
        iterator = page.iterator;
      }
      assert.deepEqual(seen, [m3.id, m2.id, m1.id]);
    });
  });

  describe("application auto-creation", () => {
    it("create with `application` creates the app on the fly", async () => {
      const uid = uniq("compat-msg-app");
      const msg = await svix.message.create(uid, {
        eventType: eventTypeA,
        payload: invoicePayload(3),
        application: { name: "Created by message", uid },
      });
      assert.ok(msg.id.startsWith("msg_"));

      const app = await svix.application.get(uid);
      appIds.push(app.id);
      assert.equal(app.uid, uid);
      assert.equal(app.name, "Created by message");

      const listed = await svix.message.list(uid);
      assert.deepEqual(ids(listed), [msg.id]);
    });

    it("create for an unknown app without `application` is 404", async () => {
      await expectApiError(
        svix.message.create(uniq("compat-no-such-app"), { eventType: eventTypeA, payload: {} }),
        404,
        "not_found"
      );
    });
  });
});

describe("message scheduling and retention fields", () => {
  const eventType = uniq("compat.msg.sched");
  let appId;
  let receiver;
  let endpoint;

  before(async () => {
    await svix.eventType.create({ name: eventType, description: "compat scheduling" });
    appId = (await svix.application.create({ name: uniq("Compat Scheduling") })).id;
    receiver = await startReceiver();
    endpoint = await svix.endpoint.create(appId, { url: `${receiver.url}/scheduled` });
  });

  after(async () => {
    await quietly(() => svix.application.delete(appId));
    await quietly(() => svix.eventType.delete(eventType, { expunge: true }));
    await receiver?.close();
  });

  it("deliverAt is stored and returned, and nothing is attempted before it", async () => {
    const deliverAt = new Date(Date.now() + 3_600_000);
    const scheduled = await svix.message.create(appId, { eventType, payload: { later: true }, deliverAt });
    assert.ok(scheduled.deliverAt instanceof Date, "deliverAt is returned");
    assert.ok(Math.abs(scheduled.deliverAt - deliverAt) < 1000, `deliverAt ${scheduled.deliverAt?.toISOString()}`);
    const got = await svix.message.get(appId, scheduled.id);
    assert.ok(Math.abs(got.deliverAt - deliverAt) < 1000, "get returns deliverAt");

    // A message published afterwards without deliverAt is delivered; the scheduled one has no attempt.
    const now = await svix.message.create(appId, { eventType, payload: { now: true } });
    await receiver.waitFor((r) => r.headers["webhook-id"] === now.id, { explain: explainAttempts(appId, endpoint.id) });
    assert.deepEqual((await svix.messageAttempt.listByMsg(appId, scheduled.id)).data, []);
    assert.ok(!receiver.received.some((r) => r.headers["webhook-id"] === scheduled.id));
  });

  it("deliverAt less than a minute or more than 24 hours ahead is refused with 422", async () => {
    for (const offset of [-60_000, 10_000, 25 * 3_600_000]) {
      await expectApiError(
        svix.message.create(appId, { eventType, payload: {}, deliverAt: new Date(Date.now() + offset) }),
        422
      );
    }
  });

  it("payloadRetentionPeriod and payloadRetentionHours are accepted within Svix's bounds, refused outside", async () => {
    const days = await svix.message.create(appId, { eventType, payload: { keep: "days" }, payloadRetentionPeriod: 5 });
    assert.ok(days.id.startsWith("msg_"));
    const hours = await svix.message.create(appId, { eventType, payload: { keep: "hours" }, payloadRetentionHours: 2 });
    assert.ok(hours.id.startsWith("msg_"));
    await expectApiError(svix.message.create(appId, { eventType, payload: {}, payloadRetentionPeriod: 91 }), 422);
    await expectApiError(svix.message.create(appId, { eventType, payload: {}, payloadRetentionPeriod: 0 }), 422);
    await expectApiError(svix.message.create(appId, { eventType, payload: {}, payloadRetentionHours: 2161 }), 422);
  });
});
