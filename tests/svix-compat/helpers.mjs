// Shared setup for the svix-compat suite: environment, clients and assertion helpers.
// Not a test file itself (its name does not match node --test's patterns).

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";

// SVIX_SDK selects the SDK generation under test: "2" (default) is svix@2.5.0, "1" is svix@1.99.1 (installed
// under the npm alias "svix1"). The same test files run against both; where the generations name a method or a
// field differently, the tests ask `V1` and use the generation's own name, as a user of that SDK would.
const generation = process.env.SVIX_SDK ?? "2";
if (generation !== "1" && generation !== "2") {
  throw new Error(`svix-compat: SVIX_SDK must be "1" (svix@1.99.1) or "2" (svix@2.5.0), got "${generation}".`);
}
const sdk = await import(generation === "1" ? "svix1" : "svix");
const { ApiException, Svix, Webhook } = sdk;

/** True when the suite runs against svix@1.99.1. */
export const V1 = generation === "1";
/** The SDK version under test, e.g. "2.5.0". */
export const SDK_VERSION = V1 ? "1.99.1" : "2.5.0";
export { ApiException, Webhook };
/** The PUT method's name: `update` in 1.x, `upsert` in 2.x (same route). */
export const PUT = V1 ? "update" : "upsert";
/** The PUT-headers method's name: `updateHeaders` in 1.x, `setHeaders` in 2.x. */
export const SET_HEADERS = V1 ? "updateHeaders" : "setHeaders";

/**
 * Field names that differ between the generations: 1.x sends and reads `filterTypes` and `rateLimit` (Svix's
 * deprecated aliases of `eventTypes` and `throttleRate`); 2.x only the new names.
 */
export const F = V1 ? { eventTypes: "filterTypes", rateLimit: "rateLimit" } : { eventTypes: "eventTypes", rateLimit: "throttleRate" };

const missing = ["HERALD_URL", "HERALD_TOKEN"].filter((name) => !process.env[name]);
if (missing.length > 0) {
  throw new Error(
    `svix-compat: environment variable(s) ${missing.join(" and ")} not set.\n` +
      "Run against a live Herald server, e.g.\n" +
      "  HERALD_URL=http://127.0.0.1:8071 HERALD_TOKEN=<admin token> npm test"
  );
}

export const HERALD_URL = process.env.HERALD_URL;
export const HERALD_TOKEN = process.env.HERALD_TOKEN;

/** A client for the given bearer token, pointed at the Herald server under test. */
export function client(token) {
  // requestTimeout only guards against a hung server; the SDK retries 5xx/timeouts twice.
  return new Svix(token, { serverUrl: HERALD_URL, requestTimeout: 15_000 });
}

/** The admin client used by most tests. */
export const svix = client(HERALD_TOKEN);

/** The operational webhook endpoint resource: top-level in 1.x, under `operationalWebhook` in 2.x. */
export const operationalEndpoints = V1 ? svix.operationalWebhookEndpoint : svix.operationalWebhook.endpoint;

// One random tag per test-file run so the suite can run against a non-empty server.
const RUN = `${Date.now().toString(36)}${randomBytes(3).toString("hex")}`;
let counter = 0;

/** A unique name usable as uid, event type name, channel, tag or eventId: [a-z0-9.-] only. */
export function uniq(prefix) {
  counter += 1;
  return `${prefix}-${RUN}-${counter}`;
}

/** A fresh endpoint signing secret in Svix format: "whsec_" + base64(32 random bytes). */
export function newSecret() {
  return `whsec_${randomBytes(32).toString("base64")}`;
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Awaits `call` (a promise or a function returning one) and asserts it failed with an
 * `ApiException` carrying HTTP `status` (a number, or an array of acceptable numbers).
 * For every 4xx other than 422 the body must be Svix's HttpErrorOut:
 * `{ code: <non-empty string>, detail: <string> }`; if `code` is given, `body.code` must
 * equal it. Returns the exception for further checks.
 */
export async function expectApiError(call, status, code) {
  const allowed = [status].flat();
  const expected = `HTTP ${allowed.join(" or ")}`;
  let error;
  try {
    await (typeof call === "function" ? call() : call);
  } catch (e) {
    error = e;
  }
  assert.ok(error, `expected the call to fail with ${expected}, but it succeeded`);
  assert.ok(
    error instanceof ApiException,
    `expected an ApiException with ${expected}, got ${error?.name}: ${error?.message}`
  );
  assert.ok(
    allowed.includes(error.code),
    `expected ${expected}, got ${error.code} with body ${JSON.stringify(error.body)}`
  );
  if (error.code >= 400 && error.code < 500 && error.code !== 422) {
    const body = JSON.stringify(error.body);
    assert.equal(typeof error.body?.code, "string", `error body.code must be a string: ${body}`);
    assert.ok(error.body.code.length > 0, "error body.code must not be empty");
    assert.equal(typeof error.body?.detail, "string", `error body.detail must be a string: ${body}`);
  }
  if (code !== undefined) {
    assert.equal(error.body?.code, code);
  }
  return error;
}

/** Asserts `value` is a valid Date within `toleranceMs` of the local clock. */
export function assertRecentDate(value, label, toleranceMs = 60_000) {
  assert.ok(value instanceof Date, `${label} must be a Date`);
  assert.ok(!Number.isNaN(value.getTime()), `${label} must be a valid date (server sent an unparseable value)`);
  const skew = Math.abs(Date.now() - value.getTime());
  assert.ok(skew < toleranceMs, `${label} (${value.toISOString()}) is ${skew} ms away from now`);
}

/** Asserts the common shape of a ListResponse*Out page. */
export function assertListShape(page) {
  assert.ok(Array.isArray(page.data), "list response must have a data array");
  assert.equal(typeof page.done, "boolean", "list response must have a boolean done");
  assert.ok(
    page.iterator === null || typeof page.iterator === "string",
    `list response iterator must be a string or null, got ${JSON.stringify(page.iterator)}`
  );
}

/**
 * Walks a paginated list to the end and returns all items.
 * `fetchPage({ limit, iterator })` must return a ListResponse*Out.
 */
export async function listAll(fetchPage, { limit = 100, maxPages = 1000 } = {}) {
  const items = [];
  let iterator;
  for (let page = 0; page < maxPages; page++) {
    const res = await fetchPage({ limit, iterator });
    assertListShape(res);
    assert.ok(res.data.length <= limit, `page has ${res.data.length} items but limit was ${limit}`);
    items.push(...res.data);
    if (res.done || res.data.length === 0) {
      return items;
    }
    assert.equal(typeof res.iterator, "string", "a page with done=false must carry an iterator");
    iterator = res.iterator;
  }
  assert.fail(`list did not finish within ${maxPages} pages`);
}

/** Object with all keys lower-cased (HTTP header names are case-insensitive). */
export function lowerKeys(obj) {
  return Object.fromEntries(Object.entries(obj ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
}

/** Sorted copy of an array (the server may store channels/tags as a set). */
export function sorted(values) {
  return [...(values ?? [])].sort();
}

/** Best-effort cleanup: ignores any failure (the behaviour itself is asserted elsewhere). */
export async function quietly(call) {
  try {
    await call();
  } catch {
    // ignored on purpose
  }
}
