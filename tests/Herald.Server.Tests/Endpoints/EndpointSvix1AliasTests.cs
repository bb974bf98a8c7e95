using Herald.Server.Tests.Delivery;
using Herald.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Herald.Server.Tests.Endpoints;

/// <summary>
/// The Svix 1.x SDKs send <c>filterTypes</c>, <c>rateLimit</c> and <c>version</c>: each is honored (the first two as
/// the 2.x <c>eventTypes</c> and <c>throttleRate</c>), and responses carry both generations' names.
/// </summary>
public sealed class EndpointSvix1AliasTests : IAsyncLifetime
{
    private readonly HeraldApplication _herald = DeliveryTestKit.LoopbackHerald();
    private WebhookReceiver _receiver = null!;
    private HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        _receiver = await WebhookReceiver.StartAsync();
        _admin = _herald.CreateAdminClient();
        await _admin.CreateAppAsync("Acme", "acme");
        await _admin.CreateEventTypeAsync("invoice.paid");
        await _admin.CreateEventTypeAsync("invoice.void");
    }

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        _herald.Dispose();
    }

    private async Task<JsonObject> CreateAsync(string json) =>
        await (await _admin.PostJsonAsync("/api/v1/app/acme/endpoint", json)).ReadObjectAsync(HttpStatusCode.Created);

    private async Task<JsonObject> PatchAsync(string id, string json) =>
        await (await _admin.SendJsonAsync(HttpMethod.Patch, $"/api/v1/app/acme/endpoint/{id}", json)).ReadObjectAsync(HttpStatusCode.OK);

    private async Task<int> StoredOperationalAsync(string type)
    {
        var store = _herald.Services.GetRequiredService<Herald.Server.Storage.IHeraldStore>();
        var page = await store.ListMessagesAsync(
            Herald.Server.Delivery.OperationalWebhooks.ApplicationId, new Herald.Server.Messages.MessageFilter(),
            new Herald.Server.Storage.PageRequest(250, null, Backward: false, Descending: false), CancellationToken.None);
        return page.Items.Count(m => m.EventType == type);
    }

    private static string[] Names(JsonNode? list) => list is null ? [] : [.. list.AsArray().Select(n => (string)n!)];

    [Fact]
    public async Task FilterTypes_FiltersDeliveriesLikeEventTypes()
    {
        var filtered = await CreateAsync($$"""{"url":"{{_receiver.Url("/filtered")}}","filterTypes":["invoice.paid"]}""");
        await CreateAsync($$"""{"url":"{{_receiver.Url("/all")}}"}""");

        var skipped = await _admin.PublishAsync("acme", "invoice.void");
        var matching = await _admin.PublishAsync("acme", "invoice.paid");

        var received = await _receiver.WaitForAsync(3);
        Assert.Equal(["/all", "/all", "/filtered"], received.Select(r => r.Path).Order());
        Assert.Equal((string?)matching["id"], received.Single(r => r.Path == "/filtered").Id);
        Assert.DoesNotContain(received, r => r.Path == "/filtered" && r.Id == (string?)skipped["id"]);
        Assert.Equal(["invoice.paid"], Names(filtered["filterTypes"]));
        Assert.Equal(["invoice.paid"], Names(filtered["eventTypes"]));
    }

    [Fact]
    public async Task RateLimit_IsStoredAsThrottleRate_AndReturnedUnderBothNames()
    {
        var created = await CreateAsync("""{"url":"https://example.com/hook","rateLimit":3}""");

        var read = await _admin.GetEndpointAsync("acme", (string)created["id"]!);
        Assert.Equal(3, (int?)read["throttleRate"]);
        Assert.Equal(3, (int?)read["rateLimit"]);
    }

    [Fact]
    public async Task Version_DefaultsToOne_IsStoredPatchedAndResetByReplace()
    {
        var plain = await CreateAsync("""{"url":"https://example.com/plain"}""");
        var versioned = await CreateAsync("""{"url":"https://example.com/v2","version":2}""");
        var id = (string)versioned["id"]!;

        Assert.Equal(1, (int?)plain["version"]);
        Assert.Equal(2, (int?)(await _admin.GetEndpointAsync("acme", id))["version"]);
        Assert.Equal(3, (int?)(await PatchAsync(id, """{"version":3}"""))["version"]);
        Assert.Equal(3, (int?)(await PatchAsync(id, """{"description":"kept"}"""))["version"]);
        // As Svix: a replace (PUT) without a version resets it to 1.
        var replaced = await (await _admin.SendJsonAsync(HttpMethod.Put, $"/api/v1/app/acme/endpoint/{id}", """{"url":"https://example.com/v2"}""")).ReadObjectAsync(HttpStatusCode.OK);
        Assert.Equal(1, (int?)replaced["version"]);
    }

    [Theory]
    [InlineData("""{"url":"https://example.com/x","version":0}""")]
    [InlineData("""{"url":"https://example.com/x","version":65536}""")]
    public async Task Version_OutOfRange_Returns422AndCreatesNothing(string body)
    {
        var error = await (await _admin.PostJsonAsync("/api/v1/app/acme/endpoint", body)).AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");

        Assert.Equal("""["body","version"]""", error["detail"]![0]!["loc"]!.ToJsonString());
        Assert.Empty(await _admin.GetDataAsync("/api/v1/app/acme/endpoint"));
    }

    [Fact]
    public async Task PatchVersionNull_Returns422()
    {
        var id = (string)(await CreateAsync("""{"url":"https://example.com/x","version":2}"""))["id"]!;

        var error = await (await _admin.SendJsonAsync(HttpMethod.Patch, $"/api/v1/app/acme/endpoint/{id}", """{"version":null}"""))
            .AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");

        Assert.Equal("""["body","version"]""", error["detail"]![0]!["loc"]!.ToJsonString());
        Assert.Equal(2, (int?)(await _admin.GetEndpointAsync("acme", id))["version"]);
    }

    [Theory]
    [InlineData("""{"url":"https://example.com/x","eventTypes":["invoice.paid"],"filterTypes":["invoice.void"]}""", "filterTypes", "eventTypes")]
    [InlineData("""{"url":"https://example.com/x","eventTypes":null,"filterTypes":["invoice.void"]}""", "filterTypes", "eventTypes")]
    [InlineData("""{"url":"https://example.com/x","throttleRate":5,"rateLimit":6}""", "rateLimit", "throttleRate")]
    public async Task AliasAndItsCanonicalName_WithDifferentValues_Return422NamingBoth(string body, string alias, string canonical)
    {
        var error = await (await _admin.PostJsonAsync("/api/v1/app/acme/endpoint", body)).AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");

        var item = Assert.Single(error["detail"]!.AsArray())!;
        Assert.Equal($"""["body","{alias}"]""", item["loc"]!.ToJsonString());
        Assert.Equal("conflicting_alias", (string?)item["type"]);
        Assert.Contains($"body.{canonical}", (string?)item["msg"]);
        Assert.Empty(await _admin.GetDataAsync("/api/v1/app/acme/endpoint"));
    }

    [Fact]
    public async Task AliasAndItsCanonicalName_WithTheSameValue_AreAccepted()
    {
        var created = await CreateAsync("""{"url":"https://example.com/x","eventTypes":["invoice.paid","invoice.void"],"filterTypes":["invoice.void","invoice.paid"],"throttleRate":4,"rateLimit":4}""");

        Assert.Equal(["invoice.paid", "invoice.void"], Names(created["eventTypes"]));
        Assert.Equal(4, (int?)created["throttleRate"]);
    }

    [Fact]
    public async Task UnknownEventTypeInFilterTypes_Returns422AtFilterTypes()
    {
        var error = await (await _admin.PostJsonAsync("/api/v1/app/acme/endpoint", """{"url":"https://example.com/x","filterTypes":["no.such.type"]}"""))
            .AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");

        Assert.Equal("""["body","filterTypes"]""", error["detail"]![0]!["loc"]!.ToJsonString());
        Assert.Equal("unknown_event_type", (string?)error["detail"]![0]!["type"]);
    }

    [Fact]
    public async Task Patch_AliasesChangeOnlyWhenSent_AndNullClears()
    {
        var id = (string)(await CreateAsync("""{"url":"https://example.com/x","eventTypes":["invoice.paid"],"throttleRate":5}"""))["id"]!;

        var untouched = await PatchAsync(id, """{"description":"only this"}""");
        Assert.Equal(["invoice.paid"], Names(untouched["filterTypes"]));
        Assert.Equal(5, (int?)untouched["rateLimit"]);

        var changed = await PatchAsync(id, """{"filterTypes":["invoice.void"],"rateLimit":7}""");
        Assert.Equal(["invoice.void"], Names(changed["eventTypes"]));
        Assert.Equal(7, (int?)changed["throttleRate"]);

        var cleared = await PatchAsync(id, """{"filterTypes":null,"rateLimit":null}""");
        Assert.Null(cleared["eventTypes"]);
        Assert.Null(cleared["throttleRate"]);
        var read = await _admin.GetEndpointAsync("acme", id);
        Assert.Null(read["filterTypes"]);
        Assert.Null(read["rateLimit"]);
    }

    [Fact]
    public async Task Upsert_WithFilterTypesAndRateLimit_ReplacesBoth()
    {
        var id = (string)(await CreateAsync("""{"url":"https://example.com/x","eventTypes":["invoice.paid"],"throttleRate":5}"""))["id"]!;

        var replaced = await (await _admin.SendJsonAsync(HttpMethod.Put, $"/api/v1/app/acme/endpoint/{id}",
            """{"url":"https://example.com/x","filterTypes":["invoice.void"],"rateLimit":9}""")).ReadObjectAsync(HttpStatusCode.OK);

        Assert.Equal(["invoice.void"], Names(replaced["eventTypes"]));
        Assert.Equal(9, (int?)replaced["throttleRate"]);
    }

    [Theory]
    [InlineData("PATCH", """{"disabled":false}""")]
    [InlineData("PUT", """{"url":"https://example.com/x","uid":"billing","disabled":false}""")]
    public async Task ReenablingAnEndpoint_EmitsEndpointEnabled_OnlyOnTheTransition(string method, string body)
    {
        await _admin.CreateOperatorEndpointAsync(_receiver.Url("/ops"), "endpoint.enabled");
        var created = await CreateAsync("""{"url":"https://example.com/x","uid":"billing","disabled":true}""");
        var route = $"/api/v1/app/acme/endpoint/{created["id"]}";

        await (await _admin.SendJsonAsync(new HttpMethod(method), route, body)).ReadObjectAsync(HttpStatusCode.OK);
        await (await _admin.SendJsonAsync(new HttpMethod(method), route, body)).ReadObjectAsync(HttpStatusCode.OK);
        await (await _admin.SendJsonAsync(HttpMethod.Patch, route, """{"description":"still enabled"}""")).ReadObjectAsync(HttpStatusCode.OK);

        // Operational messages are stored when the request is answered: exactly one for the one transition.
        Assert.Equal(1, await StoredOperationalAsync("endpoint.enabled"));
        var webhook = Assert.Single(await _receiver.WaitForAsync(1));
        var data = JsonNode.Parse(webhook.Body)!["data"]!;
        Assert.Equal((string?)created["id"], (string?)data["endpointId"]);
        Assert.Equal("billing", (string?)data["endpointUid"]);
        Assert.Equal("acme", (string?)(await _admin.GetObjectAsync($"/api/v1/app/{data["appId"]}"))["uid"]);
    }
}
