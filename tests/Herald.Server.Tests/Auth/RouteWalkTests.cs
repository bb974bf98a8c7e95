using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.Auth;

/// <summary>
/// The authorization rules, checked on every route the server has (read from its EndpointDataSource, so routes added
/// later are covered): a scoped token cannot reach another application, cannot use admin-only routes, and a read-only
/// app-portal token cannot change anything.
/// </summary>
public sealed class RouteWalkTests(TwoApplicationsFixture fixture) : IClassFixture<TwoApplicationsFixture>
{
    private const string MissingAppId = "app_0000000000000000000000";

    private IReadOnlyList<ApiRoute> Routes => ApiRoute.All(fixture.Herald);

    private async Task<HttpClient> PortalClientAsync(string body)
    {
        var access = await (await fixture.Admin.PostJsonAsync($"/api/v1/auth/app-portal-access/{fixture.A.Id}", body)).ReadObjectAsync(HttpStatusCode.OK);
        return fixture.Herald.CreateClient((string)access["token"]!);
    }

    private static async Task<string?> ProblemAsync(HttpResponseMessage response, ApiRoute route, HttpStatusCode status, params string[] codes)
    {
        var text = await response.Content.ReadAsStringAsync();
        var code = response.StatusCode == status && JsonNode.Parse(text) is JsonObject o ? (string?)o["code"] : null;
        return code is not null && codes.Contains(code) ? null : $"{route}: {(int)response.StatusCode} {text}";
    }

    [Fact]
    public void Walk_FindsTheRoutesItMustCover()
    {
        var routes = Routes.Select(r => r.ToString()).ToList();

        Assert.Contains("POST /api/v1/app/{app_id}/msg", routes);
        Assert.Contains("POST /api/v1/app/{app_id}/endpoint", routes);
        Assert.Contains("POST /api/v1/app/{app_id}/poller/{sink_id}/consumer/{consumer_id}/seek", routes);
        Assert.Contains(Routes, r => r.AdminOnlyForMethod && r.ToString() == "POST /api/v1/auth/app/{app_id}/expire-all");
        Assert.Contains(Routes, r => r.AdminOnlyForMethod && r.ToString() == "GET /api/v1/app");
        Assert.Contains(Routes, r => r.AdminOnlyForMethod && r.ToString() == "DELETE /api/v1/event-type/{event_type_name}");
        Assert.DoesNotContain(Routes, r => r.AdminOnlyForMethod && r.ToString() == "GET /api/v1/event-type");
    }

    [Fact]
    public async Task ReadOnlyToken_IsRefusedOnEveryWriteRouteOfItsOwnApplication_AndChangesNothing()
    {
        var readOnly = await PortalClientAsync("""{"readOnly":true}""");
        var before = await fixture.SnapshotAsync();
        var problems = new List<string>();

        // Logging out only ends the caller's own token, so every token may (tested in AppPortalOptionsTests).
        foreach (var route in Routes.Where(r => r.IsWrite && !r.Pattern.EndsWith("/auth/logout", StringComparison.Ordinal)))
        {
            var response = await TwoApplicationsFixture.SendAsync(readOnly, route.Method, route.Url(fixture.A), "{}");
            var problem = route.AdminOnlyForMethod
                ? await ProblemAsync(response, route, HttpStatusCode.Forbidden, "forbidden")
                : await ProblemAsync(response, route, HttpStatusCode.Forbidden, "read_only_token");
            if (problem is not null)
            {
                problems.Add(problem);
            }
        }

        Assert.Empty(problems);
        Assert.Equal(before, await fixture.SnapshotAsync());
    }

    [Fact]
    public async Task ReadOnlyToken_ReadsItsApplication_ButNotSecretsNorCursorCommits()
    {
        var readOnly = await PortalClientAsync("""{"readOnly":true}""");
        var a = fixture.A;

        await (await readOnly.GetAsync($"/api/v1/app/{a.Id}/endpoint/{a.EndpointId}")).ReadObjectAsync(HttpStatusCode.OK);
        await (await readOnly.GetAsync($"/api/v1/app/{a.Id}/msg")).ReadObjectAsync(HttpStatusCode.OK);
        // readOnly is ViewBase alone: the secret signs webhooks, so reading it is not part of a read-only view.
        await (await readOnly.GetAsync($"/api/v1/app/{a.Id}/endpoint/{a.EndpointId}/secret")).AssertErrorAsync(HttpStatusCode.Forbidden, "missing_capability");
        // A consumer read with an iterator commits the consumer's cursor: a write.
        await (await readOnly.GetAsync($"/api/v1/app/{a.Id}/poller/pull/consumer/c1?iterator=0")).AssertErrorAsync(HttpStatusCode.Forbidden, "read_only_token");
    }

    [Fact]
    public async Task AppToken_GetsNotFoundOnEveryRouteOfAnotherApplication_AsIfItDidNotExist()
    {
        var before = await fixture.SnapshotAsync();
        var problems = new List<string>();

        foreach (var route in Routes.Where(r => r.IsApplicationRoute))
        {
            var body = route.IsWrite ? "{}" : null;
            var response = await TwoApplicationsFixture.SendAsync(fixture.AppA, route.Method, route.Url(fixture.B), body);
            var missing = await TwoApplicationsFixture.SendAsync(fixture.AppA, route.Method, route.Url(fixture.B, MissingAppId), body);
            var text = await response.Content.ReadAsStringAsync();
            if (response.StatusCode != HttpStatusCode.NotFound || missing.StatusCode != HttpStatusCode.NotFound
                || (route.Method != "HEAD" && text != await missing.Content.ReadAsStringAsync()))
            {
                problems.Add($"{route}: {(int)response.StatusCode} {text} (missing application: {(int)missing.StatusCode})");
            }
        }

        Assert.Empty(problems);
        Assert.Equal(before, await fixture.SnapshotAsync());
    }

    [Fact]
    public async Task AppToken_IsForbiddenOnEveryAdminOnlyRoute()
    {
        var before = await fixture.SnapshotAsync();
        var problems = new List<string>();

        foreach (var route in Routes.Where(r => r.AdminOnlyForMethod))
        {
            var response = await TwoApplicationsFixture.SendAsync(fixture.AppA, route.Method, route.Url(fixture.A), route.IsWrite ? "{}" : null);
            if (await ProblemAsync(response, route, HttpStatusCode.Forbidden, "forbidden") is { } problem)
            {
                problems.Add(problem);
            }
        }

        Assert.Empty(problems);
        Assert.Equal(before, await fixture.SnapshotAsync());
    }
}
