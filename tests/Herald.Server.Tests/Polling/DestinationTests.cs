using Herald.Server.Tests.Delivery;
using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.Polling;

/// <summary>The destination (polling endpoint) resource as Svix's DestinationOut / DestinationIn define it.</summary>
public sealed class DestinationTests : IDisposable
{
    private readonly HeraldApplication _herald = new();
    private readonly HttpClient _client;

    public DestinationTests() => _client = _herald.CreateAdminClient();

    public void Dispose() => _herald.Dispose();

    private async Task<JsonObject> CreateAsync(JsonObject? extra = null)
    {
        await _client.CreateAppAsync("Shop", "shop");
        var body = extra ?? [];
        body["type"] = "pollingEndpoint";
        body["uid"] = "pull";
        return await (await _client.PostAsJsonAsync("/api/v1/app/shop/destination", body)).ReadObjectAsync(HttpStatusCode.Created);
    }

    private static void AssertSvixRequiredFields(JsonObject destination)
    {
        Assert.Equal(100, (int)destination["batchSize"]!);
        Assert.Equal(0, (int)destination["maxWaitSecs"]!);
        Assert.Equal(JsonValueKind.String, destination["currentIterator"]!.GetValueKind());
        Assert.Equal("enabled", (string?)destination["status"]);
    }

    [Fact]
    public async Task Destination_NonEmptyConfig_Returns422NamingItAndCreatesNothing()
    {
        await _client.CreateAppAsync("Shop", "shop");

        var response = await _client.PostAsJsonAsync("/api/v1/app/shop/destination", new { type = "pollingEndpoint", uid = "pull", config = new { url = "https://example.com" } });

        var body = await response.AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");
        Assert.Contains("config", body.ToJsonString(), StringComparison.Ordinal);
        Assert.Empty(await _client.GetDataAsync("/api/v1/app/shop/destination"));
        await (await _client.PostAsJsonAsync("/api/v1/app/shop/destination", new { type = "pollingEndpoint", uid = "pull", config = new { } })).ReadObjectAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task Destination_EveryResponse_CarriesBatchSizeMaxWaitSecsAndAStringIterator()
    {
        var created = await CreateAsync();
        AssertSvixRequiredFields(created);

        AssertSvixRequiredFields(await (await _client.GetAsync("/api/v1/app/shop/destination/pull")).ReadObjectAsync(HttpStatusCode.OK));
        var list = await (await _client.GetAsync("/api/v1/app/shop/destination")).ReadObjectAsync(HttpStatusCode.OK);
        AssertSvixRequiredFields(list["data"]![0]!.AsObject());
        var patched = await (await _client.PatchAsJsonAsync("/api/v1/app/shop/destination/pull", new { metadata = new { a = "b" } })).ReadObjectAsync(HttpStatusCode.OK);
        AssertSvixRequiredFields(patched);
        var replaced = await (await _client.PutAsJsonAsync("/api/v1/app/shop/destination/pull", new { type = "pollingEndpoint", uid = "pull" })).ReadObjectAsync(HttpStatusCode.OK);
        AssertSvixRequiredFields(replaced);
    }

    [Fact]
    public async Task CurrentIterator_BeforeAnyRead_IsTheStartOfTheLog_AndPollingFromItReturnsEveryMessage()
    {
        var created = await CreateAsync();
        await _client.CreateEventTypeAsync("order.created");
        var first = await _client.PublishAsync("shop", "order.created");
        var second = await _client.PublishAsync("shop", "order.created");

        var page = await (await _client.GetAsync($"/api/v1/app/shop/poller/pull?iterator={created["currentIterator"]}")).ReadObjectAsync(HttpStatusCode.OK);

        Assert.Equal([(string)first["id"]!, (string)second["id"]!], page["data"]!.AsArray().Select(m => (string)m!["id"]!));
    }

    [Fact]
    public async Task Create_WithSvixDefaultBatching_IsAccepted()
    {
        var created = await CreateAsync(new JsonObject { ["batchSize"] = 100, ["maxWaitSecs"] = 0 });
        AssertSvixRequiredFields(created);
    }

    [Theory]
    [InlineData("batchSize", 50, "unsupported")]
    [InlineData("batchSize", 0, "out_of_range")]
    [InlineData("batchSize", 1001, "out_of_range")]
    [InlineData("maxWaitSecs", 10, "unsupported")]
    [InlineData("maxWaitSecs", -1, "out_of_range")]
    [InlineData("maxWaitSecs", 301, "out_of_range")]
    public async Task Create_WithOtherBatching_Returns422NamingTheField_AndCreatesNothing(string field, int value, string reason)
    {
        await _client.CreateAppAsync("Shop", "shop");
        var response = await _client.PostAsJsonAsync("/api/v1/app/shop/destination", new JsonObject { ["type"] = "pollingEndpoint", [field] = value });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains(field, text, StringComparison.Ordinal);
        Assert.Contains(reason, text, StringComparison.Ordinal);
        var list = await (await _client.GetAsync("/api/v1/app/shop/destination")).ReadObjectAsync(HttpStatusCode.OK);
        Assert.Empty(list["data"]!.AsArray());
    }

    [Fact]
    public async Task Patch_WithANonDefaultBatchSize_Returns422_AndChangesNothing()
    {
        await CreateAsync(new JsonObject { ["metadata"] = new JsonObject { ["v"] = "1" } });

        var response = await _client.PatchAsJsonAsync("/api/v1/app/shop/destination/pull", new { batchSize = 10, metadata = new { v = "2" } });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains("batchSize", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var got = await (await _client.GetAsync("/api/v1/app/shop/destination/pull")).ReadObjectAsync(HttpStatusCode.OK);
        Assert.Equal("1", (string?)got["metadata"]!["v"]);
    }
}
