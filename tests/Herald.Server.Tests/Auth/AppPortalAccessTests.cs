using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.Auth;

public sealed class AppPortalAccessTests : IDisposable
{
    private readonly HeraldApplication _herald = new HeraldApplication().WithFakeTime();
    private readonly HttpClient _admin;

    public AppPortalAccessTests() => _admin = _herald.CreateAdminClient();

    public void Dispose() => _herald.Dispose();

    private async Task<JsonObject> GetAccessAsync(string app, string body = "{}") =>
        await (await _admin.PostJsonAsync($"/api/v1/auth/app-portal-access/{app}", body)).ReadObjectAsync(HttpStatusCode.OK);

    [Fact]
    public async Task AppPortalAccess_ReturnsUrlAndTokenThatReachesTheApplication()
    {
        var app = await _admin.CreateAppAsync("Acme", "acme");
        var appId = (string)app["id"]!;

        var access = await GetAccessAsync("acme");

        Assert.Equal(["token", "url"], access.Select(p => p.Key).Order());
        var token = (string)access["token"]!;
        Assert.StartsWith("herald_app_", token);
        var url = new Uri((string)access["url"]!);
        Assert.Contains(appId, url.AbsolutePath);
        Assert.Equal("#token=" + token, url.Fragment);
        var seen = await (await _herald.CreateClient(token).GetAsync($"/api/v1/app/{appId}")).ReadObjectAsync(HttpStatusCode.OK);
        Assert.Equal(app.ToJsonString(), seen.ToJsonString());
    }

    [Fact]
    public async Task AppPortalAccess_ForUnknownApplication_Returns404()
    {
        await (await _admin.PostJsonAsync("/api/v1/auth/app-portal-access/no-such-app", "{}")).AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
        await (await _admin.PostJsonAsync("/api/v1/auth/app-portal-access/app_0000000000000000000000", "{}")).AssertErrorAsync(HttpStatusCode.NotFound, "not_found");

        var apps = await (await _admin.GetAsync("/api/v1/app")).ReadObjectAsync(HttpStatusCode.OK);
        Assert.Empty(apps["data"]!.AsArray());
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("604801")]
    [InlineData("9223372036854775807")]
    public async Task AppPortalAccess_ExpiryOutOfRange_Returns422(string expiry)
    {
        var app = await _admin.CreateAppAsync();

        var response = await _admin.PostJsonAsync($"/api/v1/auth/app-portal-access/{app["id"]}", $$"""{"expiry":{{expiry}}}""");

        var error = await response.AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");
        Assert.Equal("""["body","expiry"]""", error["detail"]![0]!["loc"]!.ToJsonString());
        Assert.Equal("out_of_range", (string?)error["detail"]![0]!["type"]);
    }

    [Fact]
    public async Task AppPortalAccess_LongestExpiryOfSevenDays_IsAccepted()
    {
        var app = await _admin.CreateAppAsync();

        var access = await GetAccessAsync((string)app["id"]!, """{"expiry":604800}""");

        Assert.StartsWith("herald_app_", (string?)access["token"]);
    }

    [Fact]
    public async Task PortalToken_AfterItsExpiry_IsUnauthorized()
    {
        var app = await _admin.CreateAppAsync();
        var url = $"/api/v1/app/{app["id"]}";
        var client = _herald.CreateClient((string)(await GetAccessAsync((string)app["id"]!, """{"expiry":3600}"""))["token"]!);

        _herald.Time!.Advance(TimeSpan.FromSeconds(3599));
        await (await client.GetAsync(url)).ReadObjectAsync(HttpStatusCode.OK);

        _herald.Time.Advance(TimeSpan.FromSeconds(1));
        await (await client.GetAsync(url)).AssertErrorAsync(HttpStatusCode.Unauthorized, "unauthorized");
        await (await client.PostJsonAsync($"{url}/msg", """{"eventType":"invoice.paid","payload":{}}""")).AssertErrorAsync(HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task PortalToken_WithoutExpiry_LastsSevenDays()
    {
        var app = await _admin.CreateAppAsync();
        var url = $"/api/v1/app/{app["id"]}";
        var client = _herald.CreateClient((string)(await GetAccessAsync((string)app["id"]!))["token"]!);

        _herald.Time!.Advance(TimeSpan.FromDays(7) - TimeSpan.FromMinutes(1));
        await (await client.GetAsync(url)).ReadObjectAsync(HttpStatusCode.OK);

        _herald.Time.Advance(TimeSpan.FromMinutes(1));
        await (await client.GetAsync(url)).AssertErrorAsync(HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task PortalToken_OfDeletedApplication_IsUnauthorized_EvenWhenTheUidIsReused()
    {
        var app = await _admin.CreateAppAsync("Acme", "acme");
        var client = _herald.CreateClient((string)(await GetAccessAsync("acme"))["token"]!);
        await (await client.GetAsync("/api/v1/app/acme")).ReadObjectAsync(HttpStatusCode.OK);

        Assert.Equal(HttpStatusCode.NoContent, (await _admin.DeleteAsync($"/api/v1/app/{app["id"]}")).StatusCode);
        await (await client.GetAsync("/api/v1/app/acme")).AssertErrorAsync(HttpStatusCode.Unauthorized, "unauthorized");

        await _admin.CreateAppAsync("Acme again", "acme");
        await (await client.GetAsync("/api/v1/app/acme")).AssertErrorAsync(HttpStatusCode.Unauthorized, "unauthorized");
        await (await client.GetAsync("/api/v1/app/acme/msg")).AssertErrorAsync(HttpStatusCode.Unauthorized, "unauthorized");
    }
}
