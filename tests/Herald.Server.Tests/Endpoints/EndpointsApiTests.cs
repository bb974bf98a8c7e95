using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.Endpoints;

public sealed class EndpointsApiTests : IDisposable
{
    // 32 fixed bytes, so the test knows the key it supplied.
    private static readonly string SuppliedSecret = "whsec_" + Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());

    private readonly HeraldApplication _herald = new();
    private readonly HttpClient _client;

    public EndpointsApiTests() => _client = _herald.CreateAdminClient();

    public void Dispose() => _herald.Dispose();

    private async Task<string> CreateAppAsync() => (string)(await _client.CreateAppAsync("Acme", "acme"))["id"]!;

    private static JsonObject FullEndpoint() => new()
    {
        ["url"] = "https://example.com/webhooks",
        ["description"] = "Billing hooks",
        ["eventTypes"] = new JsonArray("invoice.paid", "invoice.failed"),
        ["channels"] = new JsonArray("project:1", "billing"),
        ["throttleRate"] = 15,
        ["disabled"] = true,
        ["metadata"] = new JsonObject { ["team"] = "payments" },
        ["uid"] = "billing-ep",
        ["headers"] = new JsonObject { ["X-Trace"] = "on" },
        ["secret"] = SuppliedSecret,
    };

    private async Task CreateEventTypesAsync()
    {
        await _client.CreateEventTypeAsync("invoice.paid");
        await _client.CreateEventTypeAsync("invoice.failed");
    }

    private async Task<JsonObject> GetEndpointAsync(string appId, string endpointId) =>
        await (await _client.GetAsync($"/api/v1/app/{appId}/endpoint/{endpointId}")).ReadObjectAsync(HttpStatusCode.OK);

    private async Task<string> GetSecretAsync(string appId, string endpointId) =>
        (string)(await (await _client.GetAsync($"/api/v1/app/{appId}/endpoint/{endpointId}/secret")).ReadObjectAsync(HttpStatusCode.OK))["key"]!;

    private static List<string?> Loc(JsonObject error, int index = 0) =>
        error["detail"]![index]!["loc"]!.AsArray().Select(n => (string?)n).ToList();

    [Fact]
    public async Task Create_WithAllFields_ReturnsThemAndGetByIdAndUidAgree()
    {
        var appId = await CreateAppAsync();
        await CreateEventTypesAsync();

        var created = await (await _client.PostAsJsonAsync($"/api/v1/app/{appId}/endpoint", FullEndpoint())).ReadObjectAsync(HttpStatusCode.Created);

        Assert.StartsWith("ep_", (string?)created["id"]);
        Assert.Equal("https://example.com/webhooks", (string?)created["url"]);
        Assert.Equal("Billing hooks", (string?)created["description"]);
        Assert.Equal(["invoice.paid", "invoice.failed"], created["eventTypes"]!.AsArray().Select(n => (string?)n));
        Assert.Equal(["project:1", "billing"], created["channels"]!.AsArray().Select(n => (string?)n));
        Assert.Equal(15, (int?)created["throttleRate"]);
        Assert.True((bool)created["disabled"]!);
        Assert.Equal("payments", (string?)created["metadata"]!["team"]);
        Assert.Equal("billing-ep", (string?)created["uid"]);

        var byId = await GetEndpointAsync(appId, (string)created["id"]!);
        var byUid = await GetEndpointAsync("acme", "billing-ep");
        Assert.Equal(created.ToJsonString(), byId.ToJsonString());
        Assert.Equal(created.ToJsonString(), byUid.ToJsonString());
        Assert.Equal(SuppliedSecret, await GetSecretAsync(appId, "billing-ep"));
    }

    [Fact]
    public async Task Create_Minimal_HasDefaults()
    {
        var appId = await CreateAppAsync();

        var created = await _client.CreateEndpointAsync(appId);

        Assert.Equal("", (string?)created["description"]);
        Assert.False((bool)created["disabled"]!);
        Assert.Null(created["eventTypes"]);
        Assert.Null(created["channels"]);
        Assert.Null(created["throttleRate"]);
        Assert.Null(created["uid"]);
    }

    [Fact]
    public async Task List_ReturnsTheApplicationsEndpointsOnly()
    {
        var appId = await CreateAppAsync();
        var otherAppId = (string)(await _client.CreateAppAsync("Other", "other"))["id"]!;
        var first = await _client.CreateEndpointAsync(appId, "https://example.com/1");
        var second = await _client.CreateEndpointAsync(appId, "https://example.com/2");
        await _client.CreateEndpointAsync(otherAppId, "https://example.com/other");

        var list = await (await _client.GetAsync("/api/v1/app/acme/endpoint")).ReadObjectAsync(HttpStatusCode.OK);

        Assert.Equal([(string?)first["id"], (string?)second["id"]], list["data"]!.AsArray().Select(e => (string?)e!["id"]));
        Assert.True((bool)list["done"]!);
    }

    [Fact]
    public async Task Get_Unknown_Returns404()
    {
        var appId = await CreateAppAsync();

        await (await _client.GetAsync($"/api/v1/app/{appId}/endpoint/no-such-ep")).AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Get_EndpointOfAnotherApplication_Returns404()
    {
        var appId = await CreateAppAsync();
        var otherAppId = (string)(await _client.CreateAppAsync("Other", "other"))["id"]!;
        var endpoint = await _client.CreateEndpointAsync(otherAppId);

        await (await _client.GetAsync($"/api/v1/app/{appId}/endpoint/{endpoint["id"]}")).AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Routes_OfUnknownApplication_Return404()
    {
        await (await _client.GetAsync("/api/v1/app/nope/endpoint")).AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
        await (await _client.PostAsJsonAsync("/api/v1/app/nope/endpoint", new { url = "https://example.com" })).AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
        await (await _client.PutAsJsonAsync("/api/v1/app/nope/endpoint/my-ep", new { url = "https://example.com" })).AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
        await (await _client.GetAsync("/api/v1/app/nope/endpoint/my-ep/secret")).AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Put_Missing_CreatesItWithPathAsUidAnd201()
    {
        var appId = await CreateAppAsync();

        var created = await (await _client.PutAsJsonAsync($"/api/v1/app/{appId}/endpoint/my-ep", new { url = "https://example.com/hook" }))
            .ReadObjectAsync(HttpStatusCode.Created);

        Assert.StartsWith("ep_", (string?)created["id"]);
        Assert.Equal("my-ep", (string?)created["uid"]);
        Assert.Equal((string?)created["id"], (string?)(await GetEndpointAsync(appId, "my-ep"))["id"]);
        Assert.StartsWith("whsec_", await GetSecretAsync(appId, "my-ep"));
    }

    [Fact]
    public async Task Put_Existing_ReplacesItWith200()
    {
        var appId = await CreateAppAsync();
        await CreateEventTypesAsync();
        var created = await (await _client.PostAsJsonAsync($"/api/v1/app/{appId}/endpoint", FullEndpoint())).ReadObjectAsync(HttpStatusCode.Created);

        var replaced = await (await _client.PutAsJsonAsync($"/api/v1/app/{appId}/endpoint/billing-ep", new { url = "https://example.org/new", uid = "billing-ep" }))
            .ReadObjectAsync(HttpStatusCode.OK);
        var fetched = await GetEndpointAsync(appId, (string)created["id"]!);

        Assert.Equal((string?)created["id"], (string?)replaced["id"]);
        Assert.Equal(replaced.ToJsonString(), fetched.ToJsonString());
        Assert.Equal("https://example.org/new", (string?)fetched["url"]);
        Assert.Equal("", (string?)fetched["description"]);
        Assert.Null(fetched["eventTypes"]);
        Assert.Null(fetched["channels"]);
        Assert.Null(fetched["throttleRate"]);
        Assert.False((bool)fetched["disabled"]!);
        Assert.Empty(fetched["metadata"]!.AsObject());
        Assert.Equal(SuppliedSecret, await GetSecretAsync(appId, "billing-ep"));
    }

    [Fact]
    public async Task Patch_ChangesOnlySentFields()
    {
        var appId = await CreateAppAsync();
        await CreateEventTypesAsync();
        var created = await (await _client.PostAsJsonAsync($"/api/v1/app/{appId}/endpoint", FullEndpoint())).ReadObjectAsync(HttpStatusCode.Created);

        var patched = await (await _client.PatchAsJsonAsync($"/api/v1/app/{appId}/endpoint/billing-ep", new { description = "Renamed", disabled = false }))
            .ReadObjectAsync(HttpStatusCode.OK);
        var fetched = await GetEndpointAsync(appId, (string)created["id"]!);

        Assert.Equal(patched.ToJsonString(), fetched.ToJsonString());
        Assert.Equal("Renamed", (string?)fetched["description"]);
        Assert.False((bool)fetched["disabled"]!);
        foreach (var unchanged in new[] { "url", "eventTypes", "channels", "throttleRate", "metadata", "uid", "createdAt" })
        {
            Assert.True(JsonNode.DeepEquals(created[unchanged], fetched[unchanged]), $"{unchanged} changed");
        }

        var headers = await (await _client.GetAsync($"/api/v1/app/{appId}/endpoint/billing-ep/headers")).ReadObjectAsync(HttpStatusCode.OK);
        Assert.Equal("on", (string?)headers["headers"]!["X-Trace"]);
    }

    [Fact]
    public async Task Patch_NullClearsOptionalFields()
    {
        var appId = await CreateAppAsync();
        await CreateEventTypesAsync();
        await _client.PostAsJsonAsync($"/api/v1/app/{appId}/endpoint", FullEndpoint());

        var patched = await (await _client.SendJsonAsync(HttpMethod.Patch, $"/api/v1/app/{appId}/endpoint/billing-ep",
            """{"eventTypes": null, "channels": null, "throttleRate": null}""")).ReadObjectAsync(HttpStatusCode.OK);

        Assert.Null(patched["eventTypes"]);
        Assert.Null(patched["channels"]);
        Assert.Null(patched["throttleRate"]);
        Assert.Equal("billing-ep", (string?)patched["uid"]);
    }

    [Fact]
    public async Task Patch_Secret_Returns422()
    {
        var appId = await CreateAppAsync();
        var endpoint = await _client.CreateEndpointAsync(appId);

        var response = await _client.PatchAsJsonAsync($"/api/v1/app/{appId}/endpoint/{endpoint["id"]}", new { secret = SuppliedSecret });

        var error = await response.AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");
        Assert.Equal(["body", "secret"], Loc(error));
    }

    [Fact]
    public async Task Delete_Returns204ThenGetReturns404()
    {
        var appId = await CreateAppAsync();
        var endpoint = await _client.CreateEndpointAsync(appId);

        var deleted = await _client.DeleteAsync($"/api/v1/app/{appId}/endpoint/{endpoint["id"]}");

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await (await _client.GetAsync($"/api/v1/app/{appId}/endpoint/{endpoint["id"]}")).AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
        await (await _client.DeleteAsync($"/api/v1/app/{appId}/endpoint/{endpoint["id"]}")).AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
        var list = await (await _client.GetAsync($"/api/v1/app/{appId}/endpoint")).ReadObjectAsync(HttpStatusCode.OK);
        Assert.Empty(list["data"]!.AsArray());
    }

    [Theory]
    [InlineData("whsec_short")]
    [InlineData("nope")]
    public async Task Create_InvalidSecret_Returns422(string secret)
    {
        var appId = await CreateAppAsync();

        var response = await _client.PostAsJsonAsync($"/api/v1/app/{appId}/endpoint", new { url = "https://example.com", secret });

        var error = await response.AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");
        Assert.Equal(["body", "secret"], Loc(error));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not a url")]
    [InlineData("ftp://example.com/hook")]
    [InlineData("/relative/path")]
    [InlineData("https://")]
    public async Task Create_InvalidUrl_Returns422OnUrl(string? url)
    {
        var appId = await CreateAppAsync();
        var body = new JsonObject { ["description"] = "x" };
        if (url is not null)
        {
            body["url"] = url;
        }

        var error = await (await _client.PostAsJsonAsync($"/api/v1/app/{appId}/endpoint", body)).AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");

        Assert.Equal(["body", "url"], Loc(error));
    }

    [Fact]
    public async Task Create_UrlOver2048Characters_Returns422OnUrl()
    {
        var appId = await CreateAppAsync();
        var longUrl = "https://example.com/" + new string('a', 2049 - "https://example.com/".Length);
        var maxUrl = longUrl[..2048];

        var error = await (await _client.PostAsJsonAsync($"/api/v1/app/{appId}/endpoint", new { url = longUrl }))
            .AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");
        var accepted = await _client.CreateEndpointAsync(appId, maxUrl);

        Assert.Equal(["body", "url"], Loc(error));
        Assert.Equal(maxUrl, (string?)accepted["url"]);
    }

    [Fact]
    public async Task Patch_InvalidUrl_Returns422AndKeepsTheOldUrl()
    {
        var appId = await CreateAppAsync();
        var endpointId = (string)(await _client.CreateEndpointAsync(appId))["id"]!;

        var error = await (await _client.PatchAsJsonAsync($"/api/v1/app/{appId}/endpoint/{endpointId}", new { url = "ftp://example.com" }))
            .AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");

        Assert.Equal(["body", "url"], Loc(error));
        Assert.Equal("https://example.com/webhooks", (string?)(await GetEndpointAsync(appId, endpointId))["url"]);
    }

    [Fact]
    public async Task Create_UnknownEventType_Returns422UnknownEventType()
    {
        var appId = await CreateAppAsync();
        await _client.CreateEventTypeAsync("invoice.paid");

        var response = await _client.PostAsJsonAsync($"/api/v1/app/{appId}/endpoint", new { url = "https://example.com", eventTypes = new[] { "invoice.paid", "no.such.type" } });

        var error = await response.AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");
        var item = Assert.Single(error["detail"]!.AsArray())!;
        Assert.Equal("unknown_event_type", (string?)item["type"]);
        Assert.Contains("no.such.type", (string?)item["msg"]);
    }

    [Fact]
    public async Task Create_ArchivedEventType_Returns422UnknownEventType()
    {
        var appId = await CreateAppAsync();
        await _client.CreateEventTypeAsync("invoice.paid");
        (await _client.DeleteAsync("/api/v1/event-type/invoice.paid")).EnsureSuccessStatusCode();

        var response = await _client.PostAsJsonAsync($"/api/v1/app/{appId}/endpoint", new { url = "https://example.com", eventTypes = new[] { "invoice.paid" } });

        var error = await response.AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");
        Assert.Equal("unknown_event_type", (string?)error["detail"]![0]!["type"]);
    }

    [Fact]
    public async Task Patch_UnknownEventType_Returns422()
    {
        var appId = await CreateAppAsync();
        var endpointId = (string)(await _client.CreateEndpointAsync(appId))["id"]!;

        var response = await _client.PatchAsJsonAsync($"/api/v1/app/{appId}/endpoint/{endpointId}", new { eventTypes = new[] { "no.such.type" } });

        var error = await response.AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");
        Assert.Equal("unknown_event_type", (string?)error["detail"]![0]!["type"]);
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("semi;colon")]
    [InlineData("")]
    public async Task Create_ChannelWithBadCharacters_Returns422(string channel)
    {
        var appId = await CreateAppAsync();

        var response = await _client.PostAsJsonAsync($"/api/v1/app/{appId}/endpoint", new { url = "https://example.com", channels = new[] { "good", channel } });

        var error = await response.AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");
        Assert.Equal(["body", "channels", "1"], Loc(error));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public async Task Create_ThrottleRateNotPositive_Returns422(int throttleRate)
    {
        var appId = await CreateAppAsync();

        var response = await _client.PostAsJsonAsync($"/api/v1/app/{appId}/endpoint", new { url = "https://example.com", throttleRate });

        var error = await response.AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");
        Assert.Equal(["body", "throttleRate"], Loc(error));
    }

    [Fact]
    public async Task Create_DuplicateUidInSameApplication_Returns409()
    {
        var appId = await CreateAppAsync();
        await _client.CreateEndpointAsync(appId, extra: new JsonObject { ["uid"] = "my-ep" });

        var response = await _client.PostAsJsonAsync($"/api/v1/app/{appId}/endpoint", new { url = "https://example.com", uid = "my-ep" });

        await response.AssertErrorAsync(HttpStatusCode.Conflict, "conflict");
    }
}
