import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { client, expectApiError, quietly, svix, uniq } from "./helpers.mjs";

describe("errors", () => {
  it("a wrong token is 401 with a code/detail body", async () => {
    const stranger = client(`testsk_${randomBytes(16).toString("hex")}`);
    await expectApiError(stranger.application.list(), 401);
  });

  it("a missing resource is 404 not_found with a detail", async () => {
    const error = await expectApiError(svix.application.get(uniq("compat-missing")), 404, "not_found");
    assert.equal(typeof error.body.detail, "string");
  });
});

describe("validation errors (422)", () => {
  it("have Svix's HTTPValidationError shape: detail is a list of { loc, msg, type }", async () => {
    const appId = (await svix.application.create({ name: uniq("Compat 422") })).id;
    try {
      const error = await expectApiError(svix.endpoint.create(appId, { url: "not a url" }), 422);
      const body = JSON.stringify(error.body);
      assert.ok(Array.isArray(error.body?.detail), `detail must be a list: ${body}`);
      assert.ok(error.body.detail.length >= 1, body);
      const [first] = error.body.detail;
      assert.ok(Array.isArray(first.loc), `loc must be a list: ${body}`);
      assert.ok(first.loc.includes("url"), `loc names the field: ${body}`);
      assert.equal(typeof first.msg, "string");
      assert.equal(typeof first.type, "string");
    } finally {
      await quietly(() => svix.application.delete(appId));
    }
  });
});

describe("health", () => {
  it("health.get() resolves", async () => {
    assert.equal(await svix.health.get(), undefined);
  });
});
