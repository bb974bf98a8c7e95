using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.RateLimits;

/// <summary>Limits on how many objects one application holds (Herald:Limits), checked by the store.</summary>
public sealed class CountLimitTests : IDisposable
{
    private readonly HeraldApplication _herald = new HeraldApplication()
        .With("Herald:Limits:EndpointsPerApplication", "3")
        .With("Herald:Limits:PollingEndpointsPerApplication", "1");

    private readonly HttpClient _admin;

    public CountLimitTests() => _admin = _herald.CreateAdminClient();

    public void Dispose() => _herald.Dispose();

    private async Task<JsonArray> EndpointsAsync(string app) =>
        (await (await _admin.GetAsync($"/api/v1/app/{app}/endpoint")).ReadObjectAsync(HttpStatusCode.OK))["data"]!.AsArray();

    private static async Task AssertLimitAsync(HttpResponseMessage response, string setting)
    {
        var error = await response.AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "limit_exceeded");
        var item = error["detail"]![0]!;
        Assert.Equal("limit_exceeded", (string?)item["type"]);
        Assert.Contains(setting, (string?)item["msg"]);
    }

    [Fact]
    public async Task Endpoint_OverTheLimit_Gets422NamingTheSetting_AndStoresNothing()
    {
        await _admin.CreateAppAsync("Acme", "acme");
        await _admin.CreateAppAsync("Globex", "globex");
        var first = (string)(await _admin.CreateEndpointAsync("acme", "https://example.com/1"))["id"]!;
        await _admin.CreateEndpointAsync("acme", "https://example.com/2");
        await _admin.CreateEndpointAsync("acme", "https://example.com/3");

        await AssertLimitAsync(await _admin.PostJsonAsync("/api/v1/app/acme/endpoint", """{"url":"https://example.com/4","uid":"fourth"}"""),
            "Herald:Limits:EndpointsPerApplication");
        await AssertLimitAsync(await _admin.SendJsonAsync(HttpMethod.Put, "/api/v1/app/acme/endpoint/fifth", """{"url":"https://example.com/5"}"""),
            "Herald:Limits:EndpointsPerApplication");

        Assert.Equal(3, (await EndpointsAsync("acme")).Count);
        await (await _admin.GetAsync("/api/v1/app/acme/endpoint/fourth")).AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
        await (await _admin.GetAsync("/api/v1/app/acme/endpoint/fifth")).AssertErrorAsync(HttpStatusCode.NotFound, "not_found");

        // The limit is per application, and a deleted endpoint frees its place.
        await _admin.CreateEndpointAsync("globex", "https://example.com/g");
        Assert.Equal(HttpStatusCode.NoContent, (await _admin.DeleteAsync($"/api/v1/app/acme/endpoint/{first}")).StatusCode);
        await _admin.CreateEndpointAsync("acme", "https://example.com/4");
    }

    [Fact]
    public async Task Endpoints_CreatedAtOnce_NeverExceedTheLimit()
    {
        await _admin.CreateAppAsync("Acme", "acme");

        var responses = await Task.WhenAll(Enumerable.Range(0, 12).Select(i =>
            _admin.PostJsonAsync("/api/v1/app/acme/endpoint", $$"""{"url":"https://example.com/{{i}}"}""")));

        Assert.Equal(3, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(9, responses.Count(r => r.StatusCode == HttpStatusCode.UnprocessableEntity));
        Assert.Equal(3, (await EndpointsAsync("acme")).Count);
    }

    [Fact]
    public async Task PollingEndpoint_OverTheLimit_Gets422NamingTheSetting_AndStoresNothing()
    {
        await _admin.CreateAppAsync("Shop", "shop");
        await (await _admin.PostJsonAsync("/api/v1/app/shop/destination", """{"type":"pollingEndpoint","uid":"pull"}""")).ReadObjectAsync(HttpStatusCode.Created);

        await AssertLimitAsync(await _admin.PostJsonAsync("/api/v1/app/shop/destination", """{"type":"pollingEndpoint","uid":"pull-2"}"""),
            "Herald:Limits:PollingEndpointsPerApplication");

        var list = await (await _admin.GetAsync("/api/v1/app/shop/destination")).ReadObjectAsync(HttpStatusCode.OK);
        Assert.Single(list["data"]!.AsArray());
    }
}
