import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { PUT, assertListShape, assertRecentDate, expectApiError, listAll, quietly, svix, uniq } from "./helpers.mjs";

function schemaV1(title) {
  return {
    1: {
      type: "object",
      title,
      properties: {
        id: { type: "string" },
        amount: { type: "integer", minimum: 0 },
      },
      required: ["id"],
    },
  };
}

/** All event types (archived ones too if asked), walked through every page. */
function listEventTypes(options) {
  return listAll((page) => svix.eventType.list({ ...options, ...page }));
}

describe("eventType", () => {
  const name = `${uniq("compat.invoice")}.paid`;
  const description = "An invoice was paid";
  const schemas = schemaV1("Invoice paid");
  const upsertedName = uniq("compat.upserted");

  after(async () => {
    for (const n of [name, upsertedName]) await quietly(() => svix.eventType.delete(n, { expunge: true }));
  });

  let created;

  before(async () => {
    created = await svix.eventType.create({ name, description, schemas });
  });

  it("create returns the stored event type", () => {
    assert.equal(created.name, name);
    assert.equal(created.description, description);
    assert.deepEqual(created.schemas, schemas);
    assert.equal(created.archived, false);
    assert.equal(created.deprecated, false);
    assertRecentDate(created.createdAt, "createdAt");
    assertRecentDate(created.updatedAt, "updatedAt");
  });

  it("get returns the event type", async () => {
    const et = await svix.eventType.get(name);
    assert.equal(et.name, name);
    assert.equal(et.description, description);
    assert.deepEqual(et.schemas, schemas);
    assert.equal(et.archived, false);
    assert.equal(et.deprecated, false);
    assert.ok(Math.abs(et.createdAt - created.createdAt) < 1000, "createdAt is stable");
  });

  it("get of an unknown event type is 404 not_found", async () => {
    await expectApiError(svix.eventType.get(uniq("compat.missing")), 404, "not_found");
  });

  it("list finds it; schemas only with withContent", async () => {
    const page = await svix.eventType.list();
    assertListShape(page);

    const plain = (await listEventTypes()).find((e) => e.name === name);
    assert.ok(plain, "event type is listed");
    assert.equal(plain.description, description);
    assert.equal(plain.schemas ?? null, null, "without withContent the schemas are left out");

    const full = (await listEventTypes({ withContent: true })).find((e) => e.name === name);
    assert.ok(full, "event type is listed with withContent");
    assert.deepEqual(full.schemas, schemas);

    const withArchived = (await listEventTypes({ includeArchived: true })).find((e) => e.name === name);
    assert.ok(withArchived, "includeArchived also lists active event types");
  });

  it("upsert (PUT) replaces description and schemas", async () => {
    const newSchemas = schemaV1("Invoice paid v2");
    const et = await svix.eventType[PUT](name, { description: "Updated description", schemas: newSchemas });
    assert.equal(et.name, name);
    assert.equal(et.description, "Updated description");
    assert.deepEqual(et.schemas, newSchemas);

    const fetched = await svix.eventType.get(name);
    assert.equal(fetched.description, "Updated description");
    assert.deepEqual(fetched.schemas, newSchemas);
  });

  it("upsert (PUT) of an unknown name creates it", async () => {
    const et = await svix.eventType[PUT](upsertedName, { description: "made by upsert" });
    assert.equal(et.name, upsertedName);
    assert.equal(et.description, "made by upsert");
    assert.equal(et.archived, false);
    assert.equal((await svix.eventType.get(upsertedName)).description, "made by upsert");
  });

  it("patch changes only the description", async () => {
    const before = await svix.eventType.get(name);
    const et = await svix.eventType.patch(name, { description: "Patched description" });
    assert.equal(et.name, name);
    assert.equal(et.description, "Patched description");
    assert.deepEqual(et.schemas, before.schemas, "schemas untouched by patch");
    assert.equal((await svix.eventType.get(name)).description, "Patched description");
  });

  it("delete archives: get shows archived, list hides it unless includeArchived", async () => {
    assert.equal(await svix.eventType.delete(name), undefined);

    const archived = await svix.eventType.get(name);
    assert.equal(archived.name, name);
    assert.equal(archived.archived, true);

    const active = await listEventTypes();
    assert.ok(!active.some((e) => e.name === name), "archived event type is not listed by default");

    const all = await listEventTypes({ includeArchived: true });
    const listed = all.find((e) => e.name === name);
    assert.ok(listed, "archived event type is listed with includeArchived");
    assert.equal(listed.archived, true);
  });

  it("create with the name of an archived event type unarchives it", async () => {
    const et = await svix.eventType.create({ name, description: "Back again", schemas });
    assert.equal(et.name, name);
    assert.equal(et.archived, false);
    assert.equal(et.description, "Back again");

    const fetched = await svix.eventType.get(name);
    assert.equal(fetched.archived, false);
    assert.ok((await listEventTypes()).some((e) => e.name === name), "listed again by default");
  });
});
