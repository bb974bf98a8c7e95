using System.Security.Claims;
using Herald.Server.Auth;
using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.Auth;

/// <summary>
/// What each API-key scope reaches, walked over every route the server has: <c>admin:read</c> reads everything and
/// changes nothing; <c>app:{id}</c> reaches its application only (404 elsewhere, 403 on admin routes); <c>…:read</c>
/// refuses writes. And the claims ApiScopes gives other credentials (OAuth tokens) for the same scope strings.
/// </summary>
public sealed class ApiKeyScopeTests(TwoApplicationsFixture fixture) : IClassFixture<TwoApplicationsFixture>
{
    private const string Keys = "/api/v1/auth/api-key";

    private IReadOnlyList<ApiRoute> Routes => ApiRoute.All(fixture.Herald);

    private async Task<HttpClient> KeyClientAsync(string scope)
    {
        var key = await (await fixture.Admin.PostJsonAsync(Keys, $$"""{"name":"{{scope}}","scopes":["{{scope}}"]}""")).ReadObjectAsync(HttpStatusCode.Created);
        return fixture.Herald.CreateClient((string)key["key"]!);
    }

    // The keys as the walk may not change them: lastUsedAt moves with every request, by design.
    private async Task<string> SnapshotWithKeysAsync()
    {
        var keys = (await (await fixture.Admin.GetAsync($"{Keys}?limit=250")).ReadObjectAsync(HttpStatusCode.OK))["data"]!.AsArray();
        foreach (var key in keys)
        {
            key!.AsObject().Remove("lastUsedAt");
        }

        return await fixture.SnapshotAsync() + keys.ToJsonString();
    }

    private static async Task<string?> ProblemAsync(HttpResponseMessage response, ApiRoute route, HttpStatusCode status, string code)
    {
        var text = await response.Content.ReadAsStringAsync();
        var actual = response.StatusCode == status && JsonNode.Parse(text) is JsonObject o ? (string?)o["code"] : null;
        return actual == code ? null : $"{route}: {(int)response.StatusCode} {text}";
    }

    [Fact]
    public async Task ReadOnlyAdminKey_IsRefusedOnEveryWriteRoute_AndChangesNothing()
    {
        var readOnly = await KeyClientAsync("admin:read");
        var before = await SnapshotWithKeysAsync();
        var problems = new List<string>();

        foreach (var route in Routes.Where(r => r.IsWrite))
        {
            var response = await TwoApplicationsFixture.SendAsync(readOnly, route.Method, route.Url(fixture.A), "{}");
            // An admin credential cannot log out (it is revoked instead); every other write is a read-only refusal.
            var problem = route.Pattern.EndsWith("/auth/logout", StringComparison.Ordinal)
                ? await ProblemAsync(response, route, HttpStatusCode.BadRequest, "admin_token_logout")
                : await ProblemAsync(response, route, HttpStatusCode.Forbidden, "read_only_token");
            if (problem is not null)
            {
                problems.Add(problem);
            }
        }

        Assert.Empty(problems);
        Assert.Equal(before, await SnapshotWithKeysAsync());
    }

    [Fact]
    public async Task ReadOnlyAdminKey_ReadsEveryApplication_ButNotTheApiKeys()
    {
        var readOnly = await KeyClientAsync("admin:read");

        Assert.Equal(2, (await (await readOnly.GetAsync("/api/v1/app")).ReadObjectAsync(HttpStatusCode.OK))["data"]!.AsArray().Count);
        await (await readOnly.GetAsync($"/api/v1/app/{fixture.B.Id}/msg")).ReadObjectAsync(HttpStatusCode.OK);
        await (await readOnly.GetAsync($"/api/v1/app/{fixture.A.Id}/endpoint/{fixture.A.EndpointId}")).ReadObjectAsync(HttpStatusCode.OK);
        await (await readOnly.GetAsync("/api/v1/background-task")).ReadObjectAsync(HttpStatusCode.OK);
        await (await readOnly.GetAsync(Keys)).AssertErrorAsync(HttpStatusCode.Forbidden, "read_only_token");
    }

    [Fact]
    public async Task AppKey_GetsNotFoundOnEveryRouteOfAnotherApplication_AndForbiddenOnAdminRoutes()
    {
        var appKey = await KeyClientAsync($"app:{fixture.A.Id}");
        var before = await SnapshotWithKeysAsync();
        var problems = new List<string>();

        foreach (var route in Routes.Where(r => r.IsApplicationRoute))
        {
            var response = await TwoApplicationsFixture.SendAsync(appKey, route.Method, route.Url(fixture.B), route.IsWrite ? "{}" : null);
            if (response.StatusCode != HttpStatusCode.NotFound)
            {
                problems.Add($"{route}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
        }

        foreach (var route in Routes.Where(r => r.AdminOnlyForMethod))
        {
            var response = await TwoApplicationsFixture.SendAsync(appKey, route.Method, route.Url(fixture.A), route.IsWrite ? "{}" : null);
            if (await ProblemAsync(response, route, HttpStatusCode.Forbidden, "forbidden") is { } problem)
            {
                problems.Add(problem);
            }
        }

        Assert.Empty(problems);
        Assert.Equal(before, await SnapshotWithKeysAsync());
        await (await appKey.GetAsync($"/api/v1/app/{fixture.A.Id}/endpoint/{fixture.A.EndpointId}/secret")).ReadObjectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task AppReadKey_ReadsItsApplication_AndIsRefusedWrites()
    {
        var reader = await KeyClientAsync($"app:{fixture.A.Id}:read");

        await (await reader.GetAsync($"/api/v1/app/{fixture.A.Id}/msg")).ReadObjectAsync(HttpStatusCode.OK);
        await (await reader.PostJsonAsync($"/api/v1/app/{fixture.A.Id}/endpoint", """{"url":"https://example.com/x"}"""))
            .AssertErrorAsync(HttpStatusCode.Forbidden, "read_only_token");
        await (await reader.GetAsync($"/api/v1/app/{fixture.B.Id}/msg")).AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Theory]
    [InlineData(new[] { "admin" }, null, false)]
    [InlineData(new[] { "admin:read", "openid" }, null, true)]
    [InlineData(new[] { "admin:read", "app:app_1:read" }, null, true)]
    [InlineData(new[] { "admin", "admin:read" }, null, false)]
    [InlineData(new[] { "app:app_1" }, "app_1", false)]
    [InlineData(new[] { "app:app_1:read", "profile" }, "app_1", true)]
    [InlineData(new[] { "app:app_1:read", "app:app_1" }, "app_1", false)]
    public void ToClaims_MapsScopesOntoTheClaimsAuthorizationReads(string[] scopes, string? application, bool readOnly)
    {
        var user = new ClaimsPrincipal(new ClaimsIdentity(ApiScopes.ToClaims(scopes)!, "test"));

        Assert.Equal(application, user.ScopedApplicationId());
        Assert.Equal(application is null, user.IsAdmin());
        Assert.Equal(readOnly, user.IsReadOnly());
    }

    [Theory]
    [InlineData("")]
    [InlineData("openid profile")]
    [InlineData("app:app_1 app:app_2")]
    [InlineData("admin:read app:app_1")]
    public void ToClaims_ForScopesThatGrantNoSinglePrincipal_IsNull(string scopes) =>
        Assert.Null(ApiScopes.ToClaims(scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries)));
}
