using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.Applications;

/// <summary>Svix 1.x SDKs send and read an application's throttle as <c>rateLimit</c>; it is the same setting as <c>throttleRate</c>.</summary>
public sealed class ApplicationRateLimitAliasTests : IDisposable
{
    private readonly HeraldApplication _herald = new();
    private readonly HttpClient _client;

    public ApplicationRateLimitAliasTests() => _client = _herald.CreateAdminClient();

    public void Dispose() => _herald.Dispose();

    [Fact]
    public async Task Create_WithRateLimit_StoresItAsTheThrottle_AndReturnsBothNames()
    {
        var created = await (await _client.PostAsJsonAsync("/api/v1/app", new { name = "Acme", rateLimit = 7 })).ReadObjectAsync(HttpStatusCode.Created);
        var fetched = await (await _client.GetAsync($"/api/v1/app/{created["id"]}")).ReadObjectAsync(HttpStatusCode.OK);

        Assert.Equal(7, (int?)created["throttleRate"]);
        Assert.Equal(7, (int?)created["rateLimit"]);
        Assert.Equal(7, (int?)fetched["throttleRate"]);
        Assert.Equal(7, (int?)fetched["rateLimit"]);
    }

    [Fact]
    public async Task Create_WithBothNames_ThrottleRateWins()
    {
        var created = await (await _client.PostAsJsonAsync("/api/v1/app", new { name = "Acme", rateLimit = 7, throttleRate = 9 })).ReadObjectAsync(HttpStatusCode.Created);

        Assert.Equal(9, (int?)created["throttleRate"]);
    }

    [Fact]
    public async Task PatchAndUpsert_WithRateLimit_ChangeTheThrottle()
    {
        await _client.PostAsJsonAsync("/api/v1/app", new { name = "Acme", uid = "acme", throttleRate = 5 });

        var patched = await (await _client.PatchAsJsonAsync("/api/v1/app/acme", new { rateLimit = 11 })).ReadObjectAsync(HttpStatusCode.OK);
        Assert.Equal(11, (int?)patched["throttleRate"]);
        var replaced = await (await _client.PutAsJsonAsync("/api/v1/app/acme", new { name = "Acme", uid = "acme", rateLimit = 12 })).ReadObjectAsync(HttpStatusCode.OK);
        Assert.Equal(12, (int?)replaced["throttleRate"]);
        var untouched = await (await _client.PatchAsJsonAsync("/api/v1/app/acme", new { name = "Renamed" })).ReadObjectAsync(HttpStatusCode.OK);
        Assert.Equal(12, (int?)untouched["throttleRate"]);
    }

    [Fact]
    public async Task Create_WithRateLimitZero_Returns422NamingIt_AndCreatesNothing()
    {
        var response = await _client.PostAsJsonAsync("/api/v1/app", new { name = "Acme", uid = "acme", rateLimit = 0 });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains("rateLimit", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync("/api/v1/app/acme")).StatusCode);
    }
}
