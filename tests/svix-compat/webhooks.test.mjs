// Webhook delivery as an SDK user sees it: a real HTTP receiver inside the test, the webhook verified with
// the SDK's own Webhook class, then the attempt log and resend through svix.messageAttempt.
// Herald must be allowed to connect to loopback (Herald__Delivery__AllowedNetworks__0=127.0.0.0/8).

import assert from "node:assert/strict";
import { createServer } from "node:http";
import { after, before, describe, it } from "node:test";

import { HERALD_TOKEN, HERALD_URL, Webhook, assertListShape, assertRecentDate, quietly, sleep, svix, uniq } from "./helpers.mjs";

/** A real receiver on 127.0.0.1:<free port> that records each request (raw body bytes, lower-case headers) and answers 200. */
async function startReceiver() {
  const received = [];
  const waiters = new Set();
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (chunk) => chunks.push(chunk));
    req.on("end", () => {
      received.push({ method: req.method, path: req.url, headers: req.headers, body: Buffer.concat(chunks) });
      for (const check of waiters) check();
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"ok":true}');
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${server.address().port}`;

  /** Resolves with the first `count` requests matching `match`; rejects with `explain()` after `timeoutMs`. */
  function waitFor(match, { count = 1, timeoutMs = 15_000, explain = async () => "" } = {}) {
    return new Promise((resolve, reject) => {
      const check = () => {
        const matching = received.filter(match);
        if (matching.length >= count) {
          waiters.delete(check);
          clearTimeout(timer);
          resolve(matching.slice(0, count));
        }
      };
      const timer = setTimeout(async () => {
        waiters.delete(check);
        reject(new Error(`expected ${count} webhook(s) within ${timeoutMs} ms, got ${received.filter(match).length}. ${await explain()}`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  }

  const close = () => new Promise((resolve) => server.close(resolve));
  return { url, received, waitFor, close };
}

/** Calls `fetch` until `done(result)` holds (the attempt is recorded just after the receiver answered). */
async function eventually(fetch, done, label, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await fetch();
    if (done(last)) return last;
    await sleep(100);
  }
  assert.fail(`${label}: not reached within ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
}

describe("webhook delivery", () => {
  const eventType = uniq("compat.webhook");
  const payload = { type: "order", order: { id: uniq("ord"), total: 12.5, items: ["a", "b"], note: "Grüße ✓" } };
  let receiver;
  let appId;
  let endpoint;
  let secret;
  let msg;
  let first; // the first webhook received

  /** Why no webhook came, in Herald's own words: the endpoint's attempts, read raw to keep Herald's `error` field. */
  const explain = async () => {
    const res = await fetch(`${HERALD_URL}/api/v1/app/${appId}/attempt/endpoint/${endpoint.id}`, {
      headers: { authorization: `Bearer ${HERALD_TOKEN}` },
    });
    const errors = ((await res.json()).data ?? []).map((a) => a.error ?? `HTTP ${a.responseStatusCode}`);
    return `Attempts: ${JSON.stringify(errors)}. Is Herald allowed to connect to loopback (Herald__Delivery__AllowedNetworks__0=127.0.0.0/8)?`;
  };

  before(async () => {
    receiver = await startReceiver();
    await svix.eventType.create({ name: eventType, description: "compat webhook type" });
    appId = (await svix.application.create({ name: uniq("Compat Webhooks") })).id;
    endpoint = await svix.endpoint.create(appId, { url: `${receiver.url}/hooks/${uniq("ep")}`, eventTypes: [eventType] });
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

  it("carries exactly the published payload", () => {
    assert.deepEqual(JSON.parse(first.body.toString("utf8")), payload);
    assert.equal(first.body.toString("utf8"), JSON.stringify(payload), "the body is the bytes the SDK published");
  });

  it("fails verification when body, secret or timestamp is wrong", () => {
    const tampered = Buffer.from(first.body.toString("utf8").replace("12.5", "125"));
    assert.throws(() => new Webhook(secret).verify(tampered, first.headers));
    assert.throws(() => new Webhook(`whsec_${Buffer.alloc(32, 7).toString("base64")}`).verify(first.body, first.headers));
    const stale = { ...first.headers, "webhook-timestamp": String(Math.floor(Date.now() / 1000) - 3600) };
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
