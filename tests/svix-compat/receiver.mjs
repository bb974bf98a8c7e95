// A real webhook receiver for the tests that need delivery: an HTTP server on 127.0.0.1:<free port>.
// Not a test file itself (its name does not match node --test's patterns).

import assert from "node:assert/strict";
import { createServer } from "node:http";
import { HERALD_TOKEN, HERALD_URL, sleep } from "./helpers.mjs";

/**
 * A real receiver on 127.0.0.1:<free port> that records each request (raw body bytes, lower-case headers) and
 * answers `status(request)` (200 unless told otherwise).
 */
export async function startReceiver({ status = () => 200 } = {}) {
  const received = [];
  const waiters = new Set();
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (chunk) => chunks.push(chunk));
    req.on("end", () => {
      received.push({ method: req.method, path: req.url, headers: req.headers, body: Buffer.concat(chunks) });
      for (const check of waiters) check();
      res.writeHead(status(received.at(-1)), { "content-type": "application/json" });
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
export async function eventually(fetch, done, label, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await fetch();
    if (done(last)) return last;
    await sleep(100);
  }
  assert.fail(`${label}: not reached within ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
}


/** Why no webhook came, in Herald's own words: the endpoint's attempts, read raw to keep Herald's `error` field. */
export function explainAttempts(appId, endpointId) {
  return async () => {
    const res = await fetch(`${HERALD_URL}/api/v1/app/${appId}/attempt/endpoint/${endpointId}`, {
      headers: { authorization: `Bearer ${HERALD_TOKEN}` },
    });
    const errors = ((await res.json()).data ?? []).map((a) => a.error ?? `HTTP ${a.responseStatusCode}`);
    return `Attempts: ${JSON.stringify(errors)}. Is Herald allowed to connect to loopback (Herald__Delivery__AllowedNetworks__0=127.0.0.0/8)?`;
  };
}

/** Only the headers whose lower-case name starts with `prefix` (e.g. "svix-"), to verify one header set alone. */
export function headerSet(headers, prefix) {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => name.toLowerCase().startsWith(prefix)));
}
