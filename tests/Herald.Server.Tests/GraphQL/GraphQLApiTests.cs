using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.GraphQL;

/// <summary>The GraphQL API at /graphql: relations both ways, connections, filters, tokens, data loaders, limits, mutations.</summary>
public sealed class GraphQLApiTests(GraphQLFixture fixture) : IClassFixture<GraphQLFixture>
{
    private const string NestedQuery = """
        query($app: ID!) {
          application(id: $app) {
            endpoints(first: 10) {
              edges { node { id attempts(first: 10) { edges { node { status message { id eventType } endpoint { url } } } } } }
            }
          }
        }
        """;

    private JsonObject App => new() { ["app"] = fixture.AppId };

    [Fact]
    public async Task NestedQuery_EndpointsAttemptsMessages_ReadsEachMessageOnceAndNoEndpointAgain()
    {
        fixture.StoreCalls.Clear();
        var data = await fixture.Admin.QueryAsync(NestedQuery, App);

        var endpoints = data["application"]!["endpoints"]!["edges"]!.AsArray();
        Assert.Equal(fixture.EndpointIds, endpoints.Select(e => (string)e!["node"]!["id"]!));
        var attempts = endpoints.SelectMany(e => e!["node"]!["attempts"]!["edges"]!.AsArray()).ToList();
        Assert.InRange(attempts.Count, 12, 13); // 13 once the resend test has run
        Assert.All(attempts, a => Assert.Equal("SUCCESS", (string?)a!["node"]!["status"]));
        Assert.Equal(fixture.MessageIds.Order(), attempts.Select(a => (string)a!["node"]!["message"]!["id"]!).Distinct().Order());

        // Twelve attempts, but each of the four messages is read once and the endpoints come from the list already read:
        // one application, one endpoint list, one attempt list per endpoint, one read per distinct message.
        // Counted for this application only: background work (operational webhooks) reads the operator's own.
        var calls = fixture.StoreCalls;
        var app = fixture.AppId;
        Assert.Equal(1, calls.GetValueOrDefault($"GetApplicationAsync:{app}"));
        Assert.Equal(1, calls.GetValueOrDefault($"ListEndpointsAsync:{app}"));
        Assert.Equal(3, calls.GetValueOrDefault($"ListAttemptsAsync:{app}"));
        Assert.Equal(4, calls.GetValueOrDefault($"GetMessageAsync:{app}"));
        Assert.Equal(0, calls.GetValueOrDefault("GetEndpointAsync"));
    }

    [Fact]
    public async Task Message_NavigatesToAttemptsAndTheirEndpoints_AndBackToItsApplication()
    {
        var data = await fixture.Admin.QueryAsync("""
            query($app: ID!, $msg: ID!) {
              application(id: $app) {
                message(id: $msg) {
                  id application { uid }
                  attempts(first: 5) { edges { node { endpoint { id application { name } } } } }
                  deliveries { endpointId status endpoint { url } }
                }
              }
            }
            """, new JsonObject { ["app"] = fixture.AppId, ["msg"] = fixture.MessageIds[0] });

        var message = data["application"]!["message"]!;
        Assert.Equal("shop", (string?)message["application"]!["uid"]);
        var endpoints = message["attempts"]!["edges"]!.AsArray().Select(e => (string)e!["node"]!["endpoint"]!["id"]!).Order();
        Assert.Equal(fixture.EndpointIds.Order(), endpoints);
        Assert.All(message["attempts"]!["edges"]!.AsArray(), e => Assert.Equal("Shop", (string?)e!["node"]!["endpoint"]!["application"]!["name"]));
        Assert.Equal(3, message["deliveries"]!.AsArray().Count);
        Assert.All(message["deliveries"]!.AsArray(), d => Assert.Equal("SUCCESS", (string?)d!["status"]));
    }

    [Fact]
    public async Task Connections_WalkForwardAndBackWithCursors_AsTheRestIterators()
    {
        const string Query = """
            query($app: ID!, $after: String, $before: String, $first: Int, $last: Int) {
              application(id: $app) {
                endpoints(first: $first, after: $after, last: $last, before: $before) {
                  edges { cursor node { id } }
                  pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
                }
              }
            }
            """;
        var first = (await fixture.Admin.QueryAsync(Query, new JsonObject { ["app"] = fixture.AppId, ["first"] = 2 }))["application"]!["endpoints"]!;
        Assert.Equal(fixture.EndpointIds[..2], first["edges"]!.AsArray().Select(e => (string)e!["node"]!["id"]!));
        Assert.True((bool)first["pageInfo"]!["hasNextPage"]!);
        Assert.False((bool)first["pageInfo"]!["hasPreviousPage"]!);

        var next = (await fixture.Admin.QueryAsync(Query, new JsonObject { ["app"] = fixture.AppId, ["first"] = 2, ["after"] = first["pageInfo"]!["endCursor"]!.DeepClone() }))["application"]!["endpoints"]!;
        Assert.Equal([fixture.EndpointIds[2]], next["edges"]!.AsArray().Select(e => (string)e!["node"]!["id"]!));
        Assert.False((bool)next["pageInfo"]!["hasNextPage"]!);
        Assert.True((bool)next["pageInfo"]!["hasPreviousPage"]!);

        var back = (await fixture.Admin.QueryAsync(Query, new JsonObject { ["app"] = fixture.AppId, ["last"] = 2, ["before"] = next["pageInfo"]!["startCursor"]!.DeepClone() }))["application"]!["endpoints"]!;
        Assert.Equal(fixture.EndpointIds[..2], back["edges"]!.AsArray().Select(e => (string)e!["node"]!["id"]!));
    }

    [Fact]
    public async Task Filters_MatchTheRestFilters_EventTypesChannelAndStatus()
    {
        var data = await fixture.Admin.QueryAsync("""
            query($app: ID!) {
              application(id: $app) {
                failed: messages(eventTypes: ["invoice.failed"]) { edges { node { id eventType } } }
                eu: messages(channel: "eu") { edges { node { id channels } } }
                failedAttempts: attempts(status: FAIL) { edges { node { id } } }
                ok: attempts(statusCodeClass: 200, first: 50) { edges { node { id } } }
              }
            }
            """, App);

        var app = data["application"]!;
        Assert.Equal([fixture.MessageIds[3]], app["failed"]!["edges"]!.AsArray().Select(e => (string)e!["node"]!["id"]!));
        Assert.Equal([fixture.MessageIds[2], fixture.MessageIds[0]], app["eu"]!["edges"]!.AsArray().Select(e => (string)e!["node"]!["id"]!));
        Assert.Empty(app["failedAttempts"]!["edges"]!.AsArray());
        Assert.InRange(app["ok"]!["edges"]!.AsArray().Count, 12, 13);
    }

    [Fact]
    public async Task BadArguments_AreRefused_WithTheRestRuleAndACode()
    {
        Assert.Equal("VALIDATION_ERROR", await fixture.Admin.ErrorCodeAsync("query($app: ID!) { application(id: $app) { endpoints(first: 0) { edges { cursor } } } }", App));
        Assert.Equal("VALIDATION_ERROR", await fixture.Admin.ErrorCodeAsync("query($app: ID!) { application(id: $app) { endpoints(after: \"nope\") { edges { cursor } } } }", App));
        Assert.Equal("VALIDATION_ERROR", await fixture.Admin.ErrorCodeAsync("query($app: ID!) { application(id: $app) { attempts(statusCodeClass: 201) { edges { cursor } } } }", App));
    }

    [Fact]
    public async Task AppPortalToken_SeesOnlyItsApplication()
    {
        var access = await (await fixture.Admin.PostAsJsonAsync($"/api/v1/auth/app-portal-access/{fixture.AppId}", new { })).ReadObjectAsync(HttpStatusCode.OK);
        using var portal = fixture.CreateClient((string)access["token"]!);

        var data = await portal.QueryAsync("""
            query($app: ID!, $other: ID!) {
              own: application(id: $app) { id }
              other: application(id: $other) { id }
              applications { edges { node { id } } }
            }
            """, new JsonObject { ["app"] = fixture.AppId, ["other"] = fixture.OtherAppId });

        Assert.Equal(fixture.AppId, (string?)data["own"]!["id"]);
        Assert.Null(data["other"]);
        Assert.Equal([fixture.AppId], data["applications"]!["edges"]!.AsArray().Select(e => (string)e!["node"]!["id"]!));
    }

    [Fact]
    public async Task ReadOnlyKey_ReadsButGetsNoMutation()
    {
        var key = await (await fixture.Admin.PostJsonAsync("/api/v1/auth/api-key", """{"name":"ro","scopes":["admin:read"]}""")).ReadObjectAsync(HttpStatusCode.Created);
        using var readOnly = fixture.CreateClient((string)key["key"]!);

        await readOnly.QueryAsync("query($app: ID!) { application(id: $app) { id } }", App);
        var code = await readOnly.ErrorCodeAsync(
            "mutation($app: ID!, $msg: ID!, $ep: ID!) { resendMessage(appId: $app, messageId: $msg, endpointId: $ep) }",
            new JsonObject { ["app"] = fixture.AppId, ["msg"] = fixture.MessageIds[0], ["ep"] = fixture.EndpointIds[0] });

        Assert.Equal("READ_ONLY_TOKEN", code);
    }

    [Fact]
    public async Task ResendMessage_RunsTheRestResend_AndTheEndpointGetsItAgain()
    {
        var before = fixture.Receiver.Received.Count;
        var data = await fixture.Admin.QueryAsync(
            "mutation($app: ID!, $msg: ID!, $ep: ID!) { resendMessage(appId: $app, messageId: $msg, endpointId: $ep) }",
            new JsonObject { ["app"] = fixture.AppId, ["msg"] = fixture.MessageIds[1], ["ep"] = fixture.EndpointIds[1] });

        Assert.True((bool)data["resendMessage"]!);
        await fixture.Receiver.WaitForAsync(before + 1);
        var unknown = await fixture.Admin.ErrorCodeAsync(
            "mutation($app: ID!, $ep: ID!) { resendMessage(appId: $app, messageId: \"msg_missing\", endpointId: $ep) }",
            new JsonObject { ["app"] = fixture.AppId, ["ep"] = fixture.EndpointIds[1] });
        Assert.Equal("NOT_FOUND", unknown);
    }

    [Fact]
    public async Task Limits_DepthBatchSizeAndGetMutations_AreRefusedWithCodes()
    {
        var deep = "query($app: ID!) { application(id: $app) { " + string.Concat(Enumerable.Repeat("endpoints { edges { node { application { ", 6)) + "id" + new string('}', 24) + " } }";
        var body = await (await fixture.Admin.SendGraphQLAsync(deep, App)).ReadObjectAsync(HttpStatusCode.BadRequest);
        Assert.False(string.IsNullOrEmpty((string?)body["errors"]![0]!["extensions"]?["code"]), body.ToJsonString());
        Assert.Null(body["data"]);

        var batch = new JsonArray([.. Enumerable.Range(0, 11).Select(_ => (JsonNode)new JsonObject { ["query"] = "{ __typename }" })]);
        var tooMany = await fixture.Admin.PostAsync("/graphql", new StringContent(batch.ToJsonString(), System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal("BATCH_TOO_LARGE", (string?)(await tooMany.ReadObjectAsync(HttpStatusCode.BadRequest))["errors"]![0]!["extensions"]!["code"]);

        var two = new JsonArray(new JsonObject { ["query"] = "{ __typename }" }, new JsonObject { ["query"] = "{ eventTypes { edges { cursor } } }" });
        var batched = JsonNode.Parse(await (await fixture.Admin.PostAsync("/graphql", new StringContent(two.ToJsonString(), System.Text.Encoding.UTF8, "application/json"))).Content.ReadAsStringAsync())!.AsArray();
        Assert.Equal(2, batched.Count);

        var huge = "{ __typename }" + new string(' ', 70 * 1024);
        var large = await fixture.Admin.SendGraphQLAsync(huge);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, large.StatusCode);

        var get = await fixture.Admin.GetAsync("/graphql?query=" + Uri.EscapeDataString("mutation { resendMessage(appId: \"a\", messageId: \"b\", endpointId: \"c\") }"));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, get.StatusCode);
        var query = await fixture.Admin.GetAsync("/graphql?query=" + Uri.EscapeDataString("{ eventTypes { edges { node { name } } } }"));
        Assert.Equal("application/json", query.Content.Headers.ContentType?.MediaType);
        Assert.Equal(2, (await query.ReadObjectAsync(HttpStatusCode.OK))["data"]!["eventTypes"]!["edges"]!.AsArray().Count);
    }

    [Fact]
    public async Task EndpointAndMessageMutations_RunTheRestRules()
    {
        // An application of its own: the other tests count the fixture application's endpoints, messages and attempts.
        var appId = (string)(await fixture.Admin.CreateAppAsync("Mutations", "mutations"))["id"]!;
        var app = new JsonObject { ["app"] = appId };
        var created = (await fixture.Admin.QueryAsync("""
            mutation($app: ID!) { createEndpoint(appId: $app, input: { url: "https://example.com/gql", metadata: [{ key: "team", value: "a" }] }) { id url metadata { key value } } }
            """, app))["createEndpoint"]!;
        Assert.Equal("https://example.com/gql", (string?)created["url"]);
        Assert.Equal("a", (string?)created["metadata"]![0]!["value"]);

        var updated = (await fixture.Admin.QueryAsync("""
            mutation($app: ID!, $ep: ID!) { updateEndpoint(appId: $app, endpointId: $ep, input: { eventTypes: ["invoice.paid"] }) { eventTypes url } }
            """, new JsonObject { ["app"] = appId, ["ep"] = created["id"]!.DeepClone() }))["updateEndpoint"]!;
        Assert.Equal("https://example.com/gql", (string?)updated["url"]);
        Assert.Equal(["invoice.paid"], updated["eventTypes"]!.AsArray().Select(t => (string)t!));
        var rest = await (await fixture.Admin.GetAsync($"/api/v1/app/{appId}/endpoint/{created["id"]}")).ReadObjectAsync(HttpStatusCode.OK);
        Assert.Equal("invoice.paid", (string?)(rest["eventTypes"] ?? rest["filterTypes"])![0]);

        Assert.Equal("VALIDATION_ERROR", await fixture.Admin.ErrorCodeAsync(
            "mutation($app: ID!) { createEndpoint(appId: $app, input: { url: \"not a url\" }) { id } }", app));
        Assert.Equal("VALIDATION_ERROR", await fixture.Admin.ErrorCodeAsync(
            "mutation($app: ID!) { createEndpoint(appId: $app, input: { url: \"https://example.com/x\", eventTypes: [\"no.such.type\"] }) { id } }", app));

        var published = (await fixture.Admin.QueryAsync("""
            mutation($app: ID!) { publishMessage(appId: $app, input: { eventType: "invoice.paid", payload: "{\"n\": 7}" }) { id payload sequence } }
            """, app))["publishMessage"]!;
        Assert.Equal(7, JsonNode.Parse((string)published["payload"]!)!["n"]!.GetValue<int>());
        Assert.Equal("VALIDATION_ERROR", await fixture.Admin.ErrorCodeAsync(
            "mutation($app: ID!) { publishMessage(appId: $app, input: { eventType: \"invoice.paid\", payload: \"[1]\" }) { id } }", app));
    }

    [Fact]
    public async Task Requests_WithoutAToken_Get401()
    {
        using var anonymous = fixture.CreateClient(null);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.SendGraphQLAsync("{ __typename }")).StatusCode);
    }

    [Fact]
    public async Task SyntaxErrors_Are400WithGraphQLResponseJson_And200WithPlainJson()
    {
        var strict = await fixture.Admin.SendGraphQLAsync("{ application(");
        Assert.Equal(HttpStatusCode.BadRequest, strict.StatusCode);
        Assert.Equal(GraphQLTestKit.ResponseType, strict.Content.Headers.ContentType?.MediaType);
        var legacy = await fixture.Admin.SendGraphQLAsync("{ application(", accept: "application/json");
        Assert.Equal(HttpStatusCode.OK, legacy.StatusCode);
    }
}

/// <summary>The introspection switch (Herald:GraphQL:Introspection).</summary>
public sealed class GraphQLIntrospectionTests
{
    [Fact]
    public async Task Introspection_WhenTurnedOff_IsRefused()
    {
        using var herald = new HeraldApplication().With("Herald:GraphQL:Introspection", "false");
        using var admin = herald.CreateAdminClient();

        var code = await admin.ErrorCodeAsync("{ __schema { types { name } } }", status: HttpStatusCode.BadRequest);

        Assert.False(string.IsNullOrEmpty(code));
        await admin.QueryAsync("{ eventTypes { edges { cursor } } }");
    }
}
