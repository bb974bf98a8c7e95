using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.Auth;

/// <summary>
/// Promise 7: a token scoped to application A can never see or change application B, nor learn that B
/// exists. Every route of B answers the A token exactly as it answers for an application that does not exist.
/// </summary>
public sealed class AppScopeMatrixTests(TwoApplicationsFixture fixture) : IClassFixture<TwoApplicationsFixture>
{
    // A well-formed application id and a uid that no application has.
    private const string MissingAppId = "app_0000000000000000000000";
    private const string MissingAppUid = "tenant-missing";

    private const string EndpointBody = """{"url":"https://attacker.example.com/hooks"}""";
    private const string HeadersBody = """{"headers":{"X-Stolen":"yes"}}""";
    private const string MessageBody = """{"eventType":"invoice.paid","payload":{"amount":1}}""";
    private const string MessageCreatingAppBody = """{"eventType":"invoice.paid","payload":{"amount":1},"application":{"name":"Created on the fly"}}""";
    private const string AppBody = """{"name":"Hijacked"}""";

    /// <summary>Every route of one application: {app} is the application (id or uid); the rest are B's objects.</summary>
    private static readonly (string Method, string Path, string? Body)[] ApplicationRoutes =
    [
        ("GET", "/api/v1/app/{app}", null),
        ("PUT", "/api/v1/app/{app}", AppBody),
        ("PATCH", "/api/v1/app/{app}", AppBody),
        ("DELETE", "/api/v1/app/{app}", null),
        ("GET", "/api/v1/app/{app}/endpoint", null),
        ("POST", "/api/v1/app/{app}/endpoint", EndpointBody),
        ("GET", "/api/v1/app/{app}/endpoint/{ep}", null),
        ("GET", "/api/v1/app/{app}/endpoint/{ep_uid}", null),
        ("PUT", "/api/v1/app/{app}/endpoint/{ep}", EndpointBody),
        ("PUT", "/api/v1/app/{app}/endpoint/new-endpoint-uid", EndpointBody),
        ("PATCH", "/api/v1/app/{app}/endpoint/{ep}", EndpointBody),
        ("DELETE", "/api/v1/app/{app}/endpoint/{ep}", null),
        ("GET", "/api/v1/app/{app}/endpoint/{ep}/secret", null),
        ("POST", "/api/v1/app/{app}/endpoint/{ep}/secret/rotate", "{}"),
        ("POST", "/api/v1/app/{app}/endpoint/{ep}/secret/rotate", null),
        ("GET", "/api/v1/app/{app}/endpoint/{ep}/headers", null),
        ("PUT", "/api/v1/app/{app}/endpoint/{ep}/headers", HeadersBody),
        ("PATCH", "/api/v1/app/{app}/endpoint/{ep}/headers", HeadersBody),
        ("GET", "/api/v1/app/{app}/msg", null),
        ("POST", "/api/v1/app/{app}/msg", MessageBody),
        ("POST", "/api/v1/app/{app}/msg", MessageCreatingAppBody),
        ("GET", "/api/v1/app/{app}/msg/{msg}", null),
        ("GET", "/api/v1/app/{app}/msg/{event_id}", null),
        ("DELETE", "/api/v1/app/{app}/msg/{msg}/content", null),
        ("GET", "/api/v1/app/{app}/attempt/endpoint/{ep}", null),
        ("GET", "/api/v1/app/{app}/attempt/msg/{msg}", null),
        ("GET", "/api/v1/app/{app}/msg/{msg}/attempt/atmpt_0000000000000000000000", null),
        ("DELETE", "/api/v1/app/{app}/msg/{msg}/attempt/atmpt_0000000000000000000000/content", null),
        ("GET", "/api/v1/app/{app}/msg/{msg}/endpoint", null),
        ("GET", "/api/v1/app/{app}/endpoint/{ep}/msg", null),
        ("POST", "/api/v1/app/{app}/msg/{msg}/endpoint/{ep}/resend", null),
        ("POST", "/api/v1/app/{app}/endpoint/{ep}/recover", """{"since":"2020-01-01T00:00:00Z"}"""),
        ("POST", "/api/v1/app/{app}/endpoint/{ep}/replay-missing", """{"since":"2020-01-01T00:00:00Z"}"""),
        ("POST", "/api/v1/app/{app}/endpoint/{ep}/bulk-replay", """{"since":"2020-01-01T00:00:00Z"}"""),
        ("POST", "/api/v1/app/{app}/msg/bulk-expunge", """{"ids":["tenant-b-evt-1"]}"""),
        ("POST", "/api/v1/app/{app}/msg/expunge-all-contents", null),
        ("POST", "/api/v1/app/{app}/endpoint/{ep}/send-example", """{"eventType":"invoice.paid"}"""),
        ("GET", "/api/v1/app/{app}/endpoint/{ep}/stats", null),
        ("GET", "/api/v1/app/{app}/destination", null),
        ("POST", "/api/v1/app/{app}/destination", """{"type":"pollingEndpoint"}"""),
        ("GET", "/api/v1/app/{app}/destination/pull", null),
        ("PUT", "/api/v1/app/{app}/destination/pull", """{"type":"pollingEndpoint"}"""),
        ("PATCH", "/api/v1/app/{app}/destination/pull", """{"channels":["x"]}"""),
        ("DELETE", "/api/v1/app/{app}/destination/pull", null),
        ("GET", "/api/v1/app/{app}/poller/pull", null),
        ("GET", "/api/v1/app/{app}/poller/pull/consumer/c1", null),
        ("POST", "/api/v1/app/{app}/poller/pull/consumer/c1/commit", """{"iterator":"0"}"""),
        ("POST", "/api/v1/app/{app}/poller/pull/consumer/c1/seek", """{"after":"2020-01-01T00:00:00Z"}"""),
        ("GET", "/api/v1/app/{app}/poller/pull/stream", null),
    ];

    public static TheoryData<string, string, string?, string> RoutesOfApplicationB()
    {
        var data = new TheoryData<string, string, string?, string>();
        foreach (var (method, path, body) in ApplicationRoutes)
        {
            data.Add(method, path, body, "id");
            data.Add(method, path, body, "uid");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(RoutesOfApplicationB))]
    public async Task AppToken_GetsNotFoundOnEveryRouteOfAnotherApplication_AsIfItDidNotExist(string method, string path, string? body, string appBy)
    {
        var b = fixture.B;
        var before = await fixture.SnapshotAsync();

        var response = await TwoApplicationsFixture.SendAsync(fixture.AppA, method, Expand(path, appBy == "id" ? b.Id : b.Uid, b), body);
        var missing = await TwoApplicationsFixture.SendAsync(fixture.AppA, method, Expand(path, appBy == "id" ? MissingAppId : MissingAppUid, b), body);

        var error = await response.AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(missing.Content.Headers.ContentType?.MediaType, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(await missing.Content.ReadAsStringAsync(), error.ToJsonString());
        Assert.Equal(before, await fixture.SnapshotAsync());
    }

    /// <summary>Admin-only routes, with {A} for A's own id and {A_uid} for its uid.</summary>
    public static TheoryData<string, string, string?> AdminOnlyRoutes() => new()
    {
        { "GET", "/api/v1/app", null },
        { "POST", "/api/v1/app", """{"name":"Sneaky"}""" },
        { "POST", "/api/v1/event-type", """{"name":"sneaky.event","description":"x"}""" },
        { "PUT", "/api/v1/event-type/sneaky.event", """{"description":"x"}""" },
        { "PUT", "/api/v1/event-type/invoice.paid", """{"description":"changed"}""" },
        { "PATCH", "/api/v1/event-type/invoice.paid", """{"description":"changed"}""" },
        { "DELETE", "/api/v1/event-type/invoice.paid", null },
        { "DELETE", "/api/v1/event-type/invoice.paid?expunge=true", null },
        { "POST", "/api/v1/auth/app-portal-access/{A}", "{}" },
        { "GET", "/api/v1/operational-webhook/endpoint", null },
        { "POST", "/api/v1/operational-webhook/endpoint", """{"url":"https://ops.example.com/hook"}""" },
        { "PUT", "/api/v1/app/{A}", AppBody },
        { "PUT", "/api/v1/app/{A_uid}", AppBody },
        { "PATCH", "/api/v1/app/{A}", AppBody },
        { "PATCH", "/api/v1/app/{A_uid}", AppBody },
        { "DELETE", "/api/v1/app/{A}", null },
        { "DELETE", "/api/v1/app/{A_uid}", null },
        { "GET", "/api/v1/background-task", null },
        { "GET", "/api/v1/background-task/qtask_0000000000000000000000", null },
        { "POST", "/api/v1/stats/usage/app", """{"since":"2020-01-01T00:00:00Z","until":"2020-01-02T00:00:00Z"}""" },
        { "PUT", "/api/v1/stats/usage/event-types", null },
        { "GET", "/api/v1/stats/endpoint/count", null },
        { "POST", "/api/v1/event-type/import/openapi", """{"spec":{"webhooks":{}}}""" },
    };

    [Theory]
    [MemberData(nameof(AdminOnlyRoutes))]
    public async Task AppToken_IsForbiddenOnAdminOnlyRoutes(string method, string path, string? body)
    {
        var before = await fixture.SnapshotAsync();

        var response = await TwoApplicationsFixture.SendAsync(fixture.AppA, method, path.Replace("{A_uid}", fixture.A.Uid).Replace("{A}", fixture.A.Id), body);

        await response.AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal(before, await fixture.SnapshotAsync());
    }

    [Fact]
    public async Task AppToken_CanReadItsOwnApplication_ByIdAndUid()
    {
        var byId = await (await fixture.AppA.GetAsync($"/api/v1/app/{fixture.A.Id}")).ReadObjectAsync(HttpStatusCode.OK);
        var byUid = await (await fixture.AppA.GetAsync($"/api/v1/app/{fixture.A.Uid}")).ReadObjectAsync(HttpStatusCode.OK);

        Assert.Equal(fixture.A.Id, (string?)byId["id"]);
        Assert.Equal(byId.ToJsonString(), byUid.ToJsonString());
    }

    [Fact]
    public async Task AppToken_CanCreateAndListEndpointsOfItsOwnApplication()
    {
        var created = await fixture.AppA.CreateEndpointAsync(fixture.A.Uid, "https://tenant-a.example.com/second");

        var list = await (await fixture.AppA.GetAsync($"/api/v1/app/{fixture.A.Id}/endpoint?limit=250")).ReadObjectAsync(HttpStatusCode.OK);
        var ids = list["data"]!.AsArray().Select(e => (string?)e!["id"]).ToList();
        Assert.Contains((string?)created["id"], ids);
        Assert.Contains(fixture.A.EndpointId, ids);
        Assert.DoesNotContain(fixture.B.EndpointId, ids);
    }

    [Fact]
    public async Task AppToken_CanPublishAndListMessagesOfItsOwnApplication()
    {
        var published = await fixture.AppA.PublishAsync(fixture.A.Id, TwoApplicationsFixture.EventType, new JsonObject { ["payload"] = new JsonObject { ["by"] = "portal" } });

        var list = await (await fixture.AppA.GetAsync($"/api/v1/app/{fixture.A.Uid}/msg?limit=250")).ReadObjectAsync(HttpStatusCode.OK);
        var ids = list["data"]!.AsArray().Select(m => (string?)m!["id"]).ToList();
        Assert.Contains((string?)published["id"], ids);
        Assert.Contains(fixture.A.MessageId, ids);
        Assert.DoesNotContain(fixture.B.MessageId, ids);
        var own = await (await fixture.AppA.GetAsync($"/api/v1/app/{fixture.A.Id}/msg/{fixture.A.EventId}")).ReadObjectAsync(HttpStatusCode.OK);
        Assert.Equal(fixture.A.MessageId, (string?)own["id"]);
    }

    [Fact]
    public async Task AppToken_CanListAndGetEventTypes()
    {
        var list = await (await fixture.AppA.GetAsync("/api/v1/event-type")).ReadObjectAsync(HttpStatusCode.OK);
        var one = await (await fixture.AppA.GetAsync($"/api/v1/event-type/{TwoApplicationsFixture.EventType}")).ReadObjectAsync(HttpStatusCode.OK);

        Assert.Contains(TwoApplicationsFixture.EventType, list["data"]!.AsArray().Select(e => (string?)e!["name"]));
        Assert.Equal(TwoApplicationsFixture.EventType, (string?)one["name"]);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Basic x")]
    [InlineData("Bearer")]
    [InlineData("Bearer ")]
    [InlineData("Bearer herald_app_not-a-token-this-server-issued")]
    [InlineData("Bearer " + HeraldApplication.AdminToken + "x")]
    [InlineData(HeraldApplication.AdminToken)]
    public async Task MissingMalformedOrUnknownToken_IsUnauthorized(string? authorization)
    {
        var client = fixture.Herald.CreateClient();
        if (authorization is not null)
        {
            Assert.True(client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", authorization));
        }

        foreach (var url in new[] { "/api/v1/app", $"/api/v1/app/{fixture.A.Id}", "/api/v1/event-type" })
        {
            await (await client.GetAsync(url)).AssertErrorAsync(HttpStatusCode.Unauthorized, "unauthorized");
        }

        var before = await fixture.SnapshotAsync();
        await (await client.PostJsonAsync("/api/v1/app", """{"name":"Anonymous"}""")).AssertErrorAsync(HttpStatusCode.Unauthorized, "unauthorized");
        await (await client.PostJsonAsync($"/api/v1/app/{fixture.A.Id}/msg", MessageBody)).AssertErrorAsync(HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Equal(before, await fixture.SnapshotAsync());
    }

    [Fact]
    public async Task AdminToken_StillReachesBothApplications()
    {
        // The matrix above is only meaningful if B's routes work for a token that may use them.
        foreach (var t in new[] { fixture.A, fixture.B })
        {
            await (await fixture.Admin.GetAsync($"/api/v1/app/{t.Uid}/endpoint/{t.EndpointUid}")).ReadObjectAsync(HttpStatusCode.OK);
            await (await fixture.Admin.GetAsync($"/api/v1/app/{t.Uid}/msg/{t.EventId}")).ReadObjectAsync(HttpStatusCode.OK);
        }
    }

    private static string Expand(string path, string app, Tenant b) => path
        .Replace("{app}", app)
        .Replace("{ep_uid}", b.EndpointUid)
        .Replace("{ep}", b.EndpointId)
        .Replace("{msg}", b.MessageId)
        .Replace("{event_id}", b.EventId);
}
