import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { client, expectApiError, svix, uniq } from "./helpers.mjs";

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

describe("health", () => {
  it("health.get() resolves", async () => {
    assert.equal(await svix.health.get(), undefined);
  });
});
