import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  F,
  PUT,
  SET_HEADERS,
  V1,
  assertListShape,
  assertRecentDate,
  expectApiError,
  listAll,
  lowerKeys,
  newSecret,
  quietly,
  sorted,
  svix,
  uniq,
} from "./helpers.mjs";

const WHSEC = /^whsec_[A-Za-z0-9+/]+={0,2}$/;

describe("endpoint", () => {
  const eventTypeA = uniq("compat.ep.a");
  const eventTypeB = uniq("compat.ep.b");
  const secret = newSecret();
  const uid = uniq("compat-ep");
  const spec = {
    url: `https://example.com/herald-compat/${uid}`,
    description: "Full endpoint",
    [F.eventTypes]: [eventTypeA],
    channels: ["compat-ch-1", "compat-ch-2"],
    metadata: { owner: "compat", tier: "gold" },
    uid,
    headers: { "X-Compat-A": "a", "X-Compat-B": "b" },
    secret,
  };

  let appId;
  let full; // created with every field, including an explicit secret
  let minimal; // created with a url only

  before(async () => {
    appId = (await svix.application.create({ name: uniq("Compat Endpoints") })).id;
    await svix.eventType.create({ name: eventTypeA, description: "compat endpoint type A" });
    await svix.eventType.create({ name: eventTypeB, description: "compat endpoint type B" });
    full = await svix.endpoint.create(appId, spec);
    minimal = await svix.endpoint.create(appId, { url: "https://example.com/herald-compat/minimal" });
  });

  after(async () => {
    await quietly(() => svix.application.delete(appId));
    for (const n of [eventTypeA, eventTypeB]) await quietly(() => svix.eventType.delete(n, { expunge: true }));
  });

  it("create with every field returns them", () => {
    assert.equal(typeof full.id, "string");
    assert.ok(full.id.length > 0);
    assert.equal(full.url, spec.url);
    assert.equal(full.description, spec.description);
    assert.deepEqual(full[F.eventTypes], spec[F.eventTypes]);
    assert.deepEqual(sorted(full.channels), sorted(spec.channels));
    assert.deepEqual(full.metadata, spec.metadata);
    assert.equal(full.uid, uid);
    assert.equal(full.disabled, false);
    assertRecentDate(full.createdAt, "createdAt");
    assertRecentDate(full.updatedAt, "updatedAt");
  });

  it("create with only a url fills in defaults", () => {
    assert.equal(typeof minimal.id, "string");
    assert.notEqual(minimal.id, full.id);
    assert.equal(minimal.url, "https://example.com/herald-compat/minimal");
    assert.equal(minimal.description, "");
    assert.equal(minimal.disabled, false);
    assert.deepEqual(minimal.metadata, {});
    assert.ok(!minimal[F.eventTypes]?.length, "no event type filter");
    assert.ok(!minimal.channels?.length, "no channel filter");
    assert.equal(minimal.uid ?? null, null);
  });

  it("get by id and by uid return the endpoint", async () => {
    const byId = await svix.endpoint.get(appId, full.id);
    assert.equal(byId.id, full.id);
    assert.equal(byId.url, spec.url);
    assert.equal(byId.description, spec.description);
    assert.deepEqual(byId[F.eventTypes], spec[F.eventTypes]);
    assert.deepEqual(sorted(byId.channels), sorted(spec.channels));
    assert.deepEqual(byId.metadata, spec.metadata);
    assert.equal(byId.uid, uid);

    const byUid = await svix.endpoint.get(appId, uid);
    assert.deepEqual(byUid, byId);
  });

  it("list returns both endpoints", async () => {
    const page = await svix.endpoint.list(appId);
    assertListShape(page);

    const all = await listAll((p) => svix.endpoint.list(appId, p));
    const ids = all.map((e) => e.id);
    assert.deepEqual(sorted(ids), sorted([full.id, minimal.id]));
    const listed = all.find((e) => e.id === full.id);
    assert.equal(listed.url, spec.url);
    assert.deepEqual(listed.metadata, spec.metadata);
  });

  it("getSecret returns the supplied secret", async () => {
    const { key } = await svix.endpoint.getSecret(appId, full.id);
    assert.equal(key, secret);
  });

  it("getSecret of an endpoint created without a secret returns a generated whsec_ key", async () => {
    const { key } = await svix.endpoint.getSecret(appId, minimal.id);
    assert.match(key, WHSEC);
    const bytes = Buffer.from(key.slice("whsec_".length), "base64");
    assert.ok(bytes.length >= 24 && bytes.length <= 64, `secret has ${bytes.length} bytes, expected 24..64`);
  });

  it("upsert (PUT) replaces the endpoint's fields", async () => {
    const updated = await svix.endpoint[PUT](appId, full.id, {
      url: `${spec.url}/v2`,
      description: "Updated endpoint",
      [F.eventTypes]: [eventTypeA, eventTypeB],
      channels: ["compat-ch-3"],
      metadata: { owner: "compat", tier: "silver" },
      uid,
    });
    assert.equal(updated.id, full.id);
    assert.equal(updated.url, `${spec.url}/v2`);
    assert.equal(updated.description, "Updated endpoint");
    assert.deepEqual(sorted(updated[F.eventTypes]), sorted([eventTypeA, eventTypeB]));
    assert.deepEqual(updated.channels, ["compat-ch-3"]);
    assert.deepEqual(updated.metadata, { owner: "compat", tier: "silver" });
    assert.equal(updated.uid, uid);

    const fetched = await svix.endpoint.get(appId, full.id);
    assert.equal(fetched.url, `${spec.url}/v2`);
    assert.equal(fetched.description, "Updated endpoint");
  });

  it("patch changes only disabled and description", async () => {
    const patched = await svix.endpoint.patch(appId, full.id, { disabled: true, description: "Patched endpoint" });
    assert.equal(patched.id, full.id);
    assert.equal(patched.disabled, true);
    assert.equal(patched.description, "Patched endpoint");
    assert.equal(patched.url, `${spec.url}/v2`, "url untouched");
    assert.deepEqual(sorted(patched[F.eventTypes]), sorted([eventTypeA, eventTypeB]), "eventTypes untouched");
    assert.deepEqual(patched.channels, ["compat-ch-3"], "channels untouched");
    assert.deepEqual(patched.metadata, { owner: "compat", tier: "silver" }, "metadata untouched");
    assert.equal(patched.uid, uid, "uid untouched");

    const fetched = await svix.endpoint.get(appId, full.id);
    assert.equal(fetched.disabled, true);
    assert.equal(fetched.description, "Patched endpoint");
  });

  it("rotateSecret without a key generates a new whsec_ secret", async () => {
    const { key: oldKey } = await svix.endpoint.getSecret(appId, full.id);
    assert.equal(await svix.endpoint.rotateSecret(appId, full.id, {}), undefined);
    const { key } = await svix.endpoint.getSecret(appId, full.id);
    assert.match(key, WHSEC);
    assert.notEqual(key, oldKey);
  });

  it("rotateSecret with a key sets exactly that secret", async () => {
    const supplied = newSecret();
    await svix.endpoint.rotateSecret(appId, full.id, { key: supplied });
    const { key } = await svix.endpoint.getSecret(appId, full.id);
    assert.equal(key, supplied);
  });

  describe("headers", () => {
    it("getHeaders returns the headers given at creation", async () => {
      const out = await svix.endpoint.getHeaders(appId, full.id);
      assert.deepEqual(lowerKeys(out.headers), { "x-compat-a": "a", "x-compat-b": "b" });
      assert.deepEqual(out.sensitive, []);
    });

    it(`${SET_HEADERS} (PUT) replaces all headers; Authorization is sensitive and not echoed`, async () => {
      const result = await svix.endpoint[SET_HEADERS](appId, full.id, {
        headers: { "X-Compat-A": "a2", Authorization: "Bearer compat-s3cr3t" },
      });
      assert.equal(result, undefined);

      const out = await svix.endpoint.getHeaders(appId, full.id);
      assert.deepEqual(lowerKeys(out.headers), { "x-compat-a": "a2" }, "X-Compat-B is gone, Authorization hidden");
      assert.deepEqual(out.sensitive.map((h) => h.toLowerCase()), ["authorization"]);
      assert.ok(!JSON.stringify(out).includes("compat-s3cr3t"), "the sensitive value is never returned");
    });

    it("patchHeaders adds and deletes single headers", async () => {
      const result = await svix.endpoint.patchHeaders(appId, full.id, {
        headers: { "X-Compat-C": "c" },
        deleteHeaders: ["X-Compat-A"],
      });
      assert.equal(result, undefined);

      const out = await svix.endpoint.getHeaders(appId, full.id);
      assert.deepEqual(lowerKeys(out.headers), { "x-compat-c": "c" });
      assert.deepEqual(out.sensitive.map((h) => h.toLowerCase()), ["authorization"], "Authorization kept");
    });
  });

  // 1.x SDKs also keep the deprecated names headersUpdate / headersPatch for the same routes.
  if (V1) {
    it("the 1.x aliases headersUpdate and headersPatch set and patch headers", async () => {
      const ep = await svix.endpoint.create(appId, { url: "https://example.com/herald-compat/alias-headers" });
      await svix.endpoint.headersUpdate(appId, ep.id, { headers: { "X-Alias-A": "a" } });
      await svix.endpoint.headersPatch(appId, ep.id, { headers: { "X-Alias-B": "b" } });
      assert.deepEqual(lowerKeys((await svix.endpoint.getHeaders(appId, ep.id)).headers), { "x-alias-a": "a", "x-alias-b": "b" });
      await svix.endpoint.delete(appId, ep.id);
    });
  }

  describe("validation", () => {
    it(`an unknown event type in ${F.eventTypes} is 422`, async () => {
      await expectApiError(
        svix.endpoint.create(appId, { url: "https://example.com/x", [F.eventTypes]: [uniq("compat.nonexistent")] }),
        422
      );
    });

    it("an ftp:// url is 422", async () => {
      await expectApiError(svix.endpoint.create(appId, { url: "ftp://x" }), 422);
    });

    it("a url that is not a url is 422", async () => {
      await expectApiError(svix.endpoint.create(appId, { url: "not a url" }), 422);
    });

    it("endpoint of an unknown application is 404", async () => {
      await expectApiError(svix.endpoint.list(uniq("compat-no-such-app")), 404, "not_found");
    });
  });

  describe("throttle and version", () => {
    // 1.x sends `rateLimit` and `version` and reads them back (EndpointOut.version is required in 1.x);
    // 2.x sends `throttleRate`. Svix stores the one throttle under both names.
    it("create with a throttle returns it under the generation's name(s)", async () => {
      const ep = await svix.endpoint.create(appId, {
        url: "https://example.com/herald-compat/throttled",
        [F.rateLimit]: 25,
        ...(V1 ? { version: 1 } : {}),
      });
      assert.equal(ep.throttleRate, 25);
      if (V1) {
        assert.equal(ep.rateLimit, 25);
        assert.equal(ep.version, 1);
      }
      const fetched = await svix.endpoint.get(appId, ep.id);
      assert.equal(fetched.throttleRate, 25);
      if (V1) assert.equal(fetched.rateLimit, 25);
      await svix.endpoint.delete(appId, ep.id);
    });

    it("patch changes the throttle and the event-type filter under the generation's names", async () => {
      const ep = await svix.endpoint.create(appId, { url: "https://example.com/herald-compat/throttle-patch" });
      const patched = await svix.endpoint.patch(appId, ep.id, { [F.rateLimit]: 3, [F.eventTypes]: [eventTypeB] });
      assert.equal(patched.throttleRate, 3);
      assert.deepEqual(patched[F.eventTypes], [eventTypeB]);
      if (V1) assert.equal(patched.rateLimit, 3);
      await svix.endpoint.delete(appId, ep.id);
    });

    // 2.x SDKs have no endpoint version field.
    if (V1) {
      it("a version below 1 is refused with 422", async () => {
        await expectApiError(svix.endpoint.create(appId, { url: "https://example.com/herald-compat/v0", version: 0 }), 422);
      });
    }

    it("a throttle of 0 is refused with 422", async () => {
      await expectApiError(svix.endpoint.create(appId, { url: "https://example.com/herald-compat/t0", [F.rateLimit]: 0 }), 422);
    });
  });

  it("delete removes the endpoint: get is 404 not_found", async () => {
    assert.equal(await svix.endpoint.delete(appId, minimal.id), undefined);
    await expectApiError(svix.endpoint.get(appId, minimal.id), 404, "not_found");

    const remaining = (await listAll((p) => svix.endpoint.list(appId, p))).map((e) => e.id);
    assert.ok(!remaining.includes(minimal.id), "deleted endpoint is no longer listed");
    assert.ok(remaining.includes(full.id), "other endpoint still listed");
  });
});
