import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  PUT,
  V1,
  assertListShape,
  assertRecentDate,
  expectApiError,
  listAll,
  quietly,
  svix,
  uniq,
} from "./helpers.mjs";

const createdAppIds = new Set();
async function createApp(body, options) {
  const app = await svix.application.create(body, options);
  createdAppIds.add(app.id);
  return app;
}

after(async () => {
  for (const id of createdAppIds) await quietly(() => svix.application.delete(id));
});

describe("application", () => {
  const uid = uniq("compat-app");
  const name = uniq("Compat App");
  const metadata = { team: "payments", env: "compat" };
  let app;

  before(async () => {
    app = await createApp({ name, uid, metadata, throttleRate: 100 });
  });

  it("create returns the stored application", () => {
    assert.equal(typeof app.id, "string");
    assert.ok(app.id.length > 0);
    assert.notEqual(app.id, uid, "id is server-generated, distinct from the uid");
    assert.equal(app.name, name);
    assert.equal(app.uid, uid);
    assert.deepEqual(app.metadata, metadata);
    assert.equal(app.throttleRate, 100);
    assertRecentDate(app.createdAt, "createdAt");
    assertRecentDate(app.updatedAt, "updatedAt");
  });

  it("create with an already used uid is a 409 conflict", async () => {
    await expectApiError(svix.application.create({ name: "duplicate", uid }), 409);
  });

  it("getOrCreate with an existing uid returns that application, unchanged", async () => {
    const again = await svix.application.getOrCreate({ name: "another name", uid });
    assert.equal(again.id, app.id);
    assert.equal(again.name, name);
    assert.equal(again.uid, uid);

    const all = await listAll((page) => svix.application.list(page));
    assert.equal(all.filter((a) => a.uid === uid).length, 1, "no duplicate application was created");
  });

  it("getOrCreate with a new uid creates the application", async () => {
    const newUid = uniq("compat-app-goc");
    const created = await svix.application.getOrCreate({ name: "goc", uid: newUid });
    createdAppIds.add(created.id);
    assert.equal(created.uid, newUid);
    assert.equal(created.name, "goc");
    assert.notEqual(created.id, app.id);
  });

  it("get by id and by uid return the same application", async () => {
    const byId = await svix.application.get(app.id);
    assert.equal(byId.id, app.id);
    assert.equal(byId.name, name);
    assert.equal(byId.uid, uid);
    assert.deepEqual(byId.metadata, metadata);
    assert.equal(byId.throttleRate, 100);
    assertRecentDate(byId.createdAt, "createdAt");

    const byUid = await svix.application.get(uid);
    assert.deepEqual(byUid, byId);
  });

  it("list contains the application and has done/iterator fields", async () => {
    const first = await svix.application.list();
    assertListShape(first);

    const all = await listAll((page) => svix.application.list(page));
    const found = all.find((a) => a.id === app.id);
    assert.ok(found, "created application is listed");
    assert.equal(found.name, name);
    assert.equal(found.uid, uid);
    assert.deepEqual(found.metadata, metadata);
  });

  it("list paginates with limit 1 and iterator without repeats", async () => {
    const mine = [];
    for (let i = 0; i < 3; i++) mine.push((await createApp({ name: uniq("Compat Page") })).id);

    const seen = new Set();
    let iterator;
    for (let pages = 0; !mine.every((id) => seen.has(id)); pages++) {
      assert.ok(pages < 10_000, "pagination did not reach the created applications");
      const page = await svix.application.list({ limit: 1, iterator });
      assertListShape(page);
      assert.ok(page.data.length <= 1, `limit 1 returned ${page.data.length} items`);
      for (const a of page.data) {
        assert.ok(!seen.has(a.id), `application ${a.id} returned twice while paginating`);
        seen.add(a.id);
      }
      if (page.done) break;
      assert.equal(typeof page.iterator, "string", "a page with done=false must carry an iterator");
      assert.notEqual(page.iterator, iterator, "iterator must advance");
      iterator = page.iterator;
    }
    for (const id of mine) assert.ok(seen.has(id), `application ${id} was never returned`);
  });

  it("upsert (PUT) updates an existing application", async () => {
    const newName = uniq("Compat App Renamed");
    const updated = await svix.application[PUT](app.id, {
      name: newName,
      uid,
      metadata,
      throttleRate: 100,
    });
    assert.equal(updated.id, app.id);
    assert.equal(updated.name, newName);
    assert.equal(updated.uid, uid);
    assert.deepEqual(updated.metadata, metadata);
    assert.ok(updated.updatedAt.getTime() >= app.updatedAt.getTime(), "updatedAt does not go backwards");
    assert.equal((await svix.application.get(app.id)).name, newName);
  });

  it("upsert (PUT) with an unknown uid creates a new application", async () => {
    const newUid = uniq("compat-app-upsert");
    const created = await svix.application[PUT](newUid, { name: "upserted", uid: newUid });
    createdAppIds.add(created.id);
    assert.notEqual(created.id, newUid);
    assert.equal(created.uid, newUid);
    assert.equal(created.name, "upserted");
    assertRecentDate(created.createdAt, "createdAt");

    const fetched = await svix.application.get(newUid);
    assert.equal(fetched.id, created.id);
  });

  it("patch changes only the given fields", async () => {
    const patchedName = uniq("Compat App Patched");
    const patched = await svix.application.patch(app.id, { name: patchedName });
    assert.equal(patched.id, app.id);
    assert.equal(patched.name, patchedName);
    assert.equal(patched.uid, uid);
    assert.deepEqual(patched.metadata, metadata);
    assert.equal(patched.throttleRate, 100);

    const fetched = await svix.application.get(uid);
    assert.equal(fetched.name, patchedName);
    assert.deepEqual(fetched.metadata, metadata);
  });

  it("delete removes the application: get by id and by uid are 404 not_found", async () => {
    const result = await svix.application.delete(app.id);
    assert.equal(result, undefined);
    createdAppIds.delete(app.id);

    await expectApiError(svix.application.get(app.id), 404, "not_found");
    await expectApiError(svix.application.get(uid), 404, "not_found");
  });
});

describe("application rate limit aliases", () => {
  // 1.x SDKs send and read `rateLimit`, Svix's deprecated alias of `throttleRate`; both must round-trip.
  it("create with rateLimit (1.x) or throttleRate (2.x) stores the throttle and returns it", async () => {
    const body = V1 ? { name: uniq("Compat Rate"), rateLimit: 42 } : { name: uniq("Compat Rate"), throttleRate: 42 };
    const app = await createApp(body);
    assert.equal(app.throttleRate, 42);
    if (V1) assert.equal(app.rateLimit, 42, "1.x reads the throttle back as rateLimit");
    const fetched = await svix.application.get(app.id);
    assert.equal(fetched.throttleRate, 42);
    if (V1) assert.equal(fetched.rateLimit, 42);
  });

  it("patch with rateLimit (1.x) or throttleRate (2.x) changes the throttle", async () => {
    const app = await createApp({ name: uniq("Compat Rate Patch"), throttleRate: 5 });
    const patched = await svix.application.patch(app.id, V1 ? { rateLimit: 9 } : { throttleRate: 9 });
    assert.equal(patched.throttleRate, 9);
    if (V1) assert.equal(patched.rateLimit, 9);
    assert.equal((await svix.application.get(app.id)).throttleRate, 9);
  });

  it("a throttle of 0 is refused with 422", async () => {
    await expectApiError(svix.application.create(V1 ? { name: "zero", rateLimit: 0 } : { name: "zero", throttleRate: 0 }), 422);
  });
});

describe("application list filters", () => {
  it("excludeAppsWithNoEndpoints and excludeAppsWithDisabledEndpoints leave those applications out", async () => {
    const empty = await createApp({ name: uniq("Compat No Endpoints") });
    const disabled = await createApp({ name: uniq("Compat Disabled Endpoints") });
    const active = await createApp({ name: uniq("Compat Active Endpoints") });
    await svix.endpoint.create(disabled.id, { url: "https://example.com/herald-compat/off", disabled: true });
    await svix.endpoint.create(active.id, { url: "https://example.com/herald-compat/on" });

    const ids = async (options) => (await listAll((page) => svix.application.list({ ...options, ...page }))).map((a) => a.id);
    const withEndpoints = await ids({ excludeAppsWithNoEndpoints: true });
    assert.ok(!withEndpoints.includes(empty.id), "the app without endpoints is excluded");
    assert.ok(withEndpoints.includes(disabled.id) && withEndpoints.includes(active.id));
    const enabledOnly = await ids({ excludeAppsWithDisabledEndpoints: true });
    assert.ok(!enabledOnly.includes(disabled.id), "the app with only disabled endpoints is excluded");
    assert.ok(enabledOnly.includes(active.id));
  });
});

describe("idempotency", () => {
  it("create twice with the same idempotency key yields one application", async () => {
    const key = uniq("compat-idem");
    const name = uniq("Compat Idempotent");

    const first = await createApp({ name }, { idempotencyKey: key });
    const second = await svix.application.create({ name }, { idempotencyKey: key });
    createdAppIds.add(second.id);

    assert.equal(second.id, first.id);
    assert.equal(second.name, name);

    const all = await listAll((page) => svix.application.list(page));
    assert.equal(all.filter((a) => a.name === name).length, 1, "only one application with that name exists");
  });
});
