import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { client, expectApiError, quietly, svix, uniq } from "./helpers.mjs";

describe("authentication (app portal access)", () => {
  const eventType = uniq("compat.portal");
  let app;
  let otherApp;
  let endpoint;
  let msg;
  let access;
  let portal; // a client using the app-scoped portal token

  before(async () => {
    await svix.eventType.create({ name: eventType, description: "compat portal type" });
    app = await svix.application.create({ name: uniq("Compat Portal"), uid: uniq("compat-portal") });
    otherApp = await svix.application.create({ name: uniq("Compat Portal Other") });
    endpoint = await svix.endpoint.create(app.id, { url: "https://example.com/herald-compat/portal" });
    msg = await svix.message.create(app.id, { eventType, payload: { hello: "portal" } });
    access = await svix.authentication.appPortalAccess(app.id, {});
    portal = client(access.token);
  });

  after(async () => {
    for (const a of [app, otherApp]) if (a) await quietly(() => svix.application.delete(a.id));
    await quietly(() => svix.eventType.delete(eventType, { expunge: true }));
  });

  it("appPortalAccess returns a url and a token", () => {
    assert.equal(typeof access.url, "string");
    assert.ok(access.url.length > 0, "url is not empty");
    assert.equal(typeof access.token, "string");
    assert.ok(access.token.length > 0, "token is not empty");
    assert.notEqual(access.token, process.env.HERALD_TOKEN);
  });

  it("the portal token can read its own application", async () => {
    const got = await portal.application.get(app.id);
    assert.equal(got.id, app.id);
    assert.equal(got.name, app.name);
  });

  it("the portal token can list the application's endpoints and messages", async () => {
    const endpoints = await portal.endpoint.list(app.id);
    assert.ok(endpoints.data.some((e) => e.id === endpoint.id), "endpoint is listed");

    const messages = await portal.message.list(app.id);
    assert.ok(messages.data.some((m) => m.id === msg.id), "message is listed");
  });

  it("another application is 404 for the portal token", async () => {
    await expectApiError(portal.application.get(otherApp.id), 404);
  });

  it("another application's messages are refused for the portal token", async () => {
    await expectApiError(portal.message.list(otherApp.id), [403, 404]);
  });

  it("listing all applications is 403 for the portal token", async () => {
    await expectApiError(portal.application.list(), 403);
  });

  it("creating an event type is 403 for the portal token", async () => {
    await expectApiError(portal.eventType.create({ name: uniq("compat.portal.denied"), description: "no" }), 403);
  });
});
