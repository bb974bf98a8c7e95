using Herald.Server.Tests.Delivery;
using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.Messages;

/// <summary>
/// <c>deliverAt</c>: stored and returned, refused outside Svix's bounds (one minute to 24 hours ahead), and no attempt
/// starts before it — neither by the publisher's in-memory hand-off, nor by a scan, nor by a resend.
/// </summary>
public sealed class ScheduledDeliveryTests : IAsyncLifetime
{
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await WebhookReceiver.StartAsync();

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    private static JsonObject At(DateTimeOffset deliverAt, string? eventId = null)
    {
        var body = new JsonObject { ["deliverAt"] = deliverAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture) };
        if (eventId is not null)
        {
            body["eventId"] = eventId;
        }

        return body;
    }

    private async Task<HttpClient> SetUpAsync(HeraldApplication herald)
    {
        var client = herald.CreateAdminClient();
        await client.CreateAppAsync("Acme", "acme");
        await client.CreateEndpointAsync("acme", _receiver.Url());
        return client;
    }

    [Fact]
    public async Task Publish_WithDeliverAt_StoresAndReturnsIt()
    {
        using var herald = DeliveryTestKit.FakeTimeHerald();
        var client = await SetUpAsync(herald);
        var at = herald.Time!.GetUtcNow() + TimeSpan.FromMinutes(30);

        var published = await client.PublishAsync("acme", extra: At(at));
        var read = await client.GetObjectAsync($"/api/v1/app/acme/msg/{published["id"]}");
        var immediate = await client.PublishAsync("acme");

        Assert.Equal(at, published["deliverAt"].AsTime());
        Assert.Equal(at, read["deliverAt"].AsTime());
        Assert.Null(immediate["deliverAt"]);
    }

    [Fact]
    public async Task EndpointMessageList_ScheduledMessage_CarriesDeliverAt()
    {
        using var herald = DeliveryTestKit.FakeTimeHerald();
        var client = await SetUpAsync(herald);
        var at = herald.Time!.GetUtcNow() + TimeSpan.FromMinutes(30);
        var endpointId = (string)(await client.GetDataAsync("/api/v1/app/acme/endpoint"))[0]!["id"]!;

        var published = await client.PublishAsync("acme", extra: At(at));
        var listed = await client.GetDataAsync($"/api/v1/app/acme/endpoint/{endpointId}/msg");

        var item = Assert.Single(listed)!;
        Assert.Equal((string?)published["id"], (string?)item["id"]);
        Assert.Equal(at, item["deliverAt"].AsTime());
        Assert.Equal(at, item["nextAttempt"].AsTime());
    }

    [Theory]
    [InlineData(-60, "at least one minute")]
    [InlineData(0, "at least one minute")]
    [InlineData(59, "at least one minute")]
    [InlineData(24 * 3600 + 1, "at most 24 hours")]
    public async Task DeliverAt_OutsideSvixBounds_Is422NamingIt_AndStoresNothing(int secondsAhead, string says)
    {
        using var herald = DeliveryTestKit.FakeTimeHerald();
        var client = await SetUpAsync(herald);

        var response = await client.PostAsJsonAsync("/api/v1/app/acme/msg", new JsonObject
        {
            ["eventType"] = "invoice.paid",
            ["payload"] = new JsonObject(),
            ["deliverAt"] = (herald.Time!.GetUtcNow() + TimeSpan.FromSeconds(secondsAhead)).ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        });

        var problem = ValidationErrors.Single(await response.ReadObjectAsync(HttpStatusCode.UnprocessableEntity), "body", "deliverAt");
        Assert.Contains(says, (string?)problem["msg"], StringComparison.Ordinal);
        Assert.Empty(await client.GetDataAsync("/api/v1/app/acme/msg"));
    }

    [Fact]
    public async Task ScheduledMessage_IsNotAttemptedBeforeDeliverAt_AndIsAtIt()
    {
        using var herald = DeliveryTestKit.FakeTimeHerald();
        var client = await SetUpAsync(herald);
        var start = herald.Time!.GetUtcNow();
        var later = await client.PublishAsync("acme", extra: At(start + TimeSpan.FromMinutes(10)));
        var sooner = await client.PublishAsync("acme", extra: At(start + TimeSpan.FromMinutes(5)));

        // Nothing is handed over in memory at publish: the destination waits, due at deliverAt.
        var waiting = await client.DestinationAsync("acme", (string)later["id"]!, (string)(await client.GetDataAsync("/api/v1/app/acme/endpoint"))[0]!["id"]!);
        Assert.Equal(1, (int)waiting["status"]!);
        Assert.Equal(start + TimeSpan.FromMinutes(10), waiting["nextAttempt"].AsTime());

        // The scan at +5 min sends the sooner message; the same scan leaves the later one alone.
        herald.Time.Advance(TimeSpan.FromMinutes(5));
        await _receiver.WaitForAsync(1);
        await client.WaitForAttemptsAsync("acme", (string)sooner["id"]!, 1);
        Assert.DoesNotContain(_receiver.Received, w => w.Id == (string)later["id"]!);
        herald.Time.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(1));
        var immediate = await client.PublishAsync("acme"); // Still goes at once, past the one waiting.
        await _receiver.WaitForAsync(1, w => w.Id == (string)immediate["id"]!);

        herald.Time.Advance(TimeSpan.FromSeconds(1));
        await _receiver.WaitForAsync(1, w => w.Id == (string)later["id"]!);
        var attempt = (await client.WaitForAttemptsAsync("acme", (string)later["id"]!, 1)).Single()!;
        Assert.True(attempt["timestamp"].AsTime() >= start + TimeSpan.FromMinutes(10));
    }

    [Fact]
    public async Task Resend_BeforeDeliverAt_WaitsForIt()
    {
        using var herald = DeliveryTestKit.FakeTimeHerald();
        var client = await SetUpAsync(herald);
        var endpointId = (string)(await client.GetDataAsync("/api/v1/app/acme/endpoint"))[0]!["id"]!;
        var start = herald.Time!.GetUtcNow();
        var scheduled = await client.PublishAsync("acme", extra: At(start + TimeSpan.FromMinutes(10)));
        var barrier = await client.PublishAsync("acme", extra: At(start + TimeSpan.FromMinutes(2)));

        var resend = await client.PostAsync($"/api/v1/app/acme/msg/{scheduled["id"]}/endpoint/{endpointId}/resend", null);
        Assert.Equal(HttpStatusCode.Accepted, resend.StatusCode);
        herald.Time.Advance(TimeSpan.FromMinutes(2));
        await client.WaitForAttemptsAsync("acme", (string)barrier["id"]!, 1);
        Assert.DoesNotContain(_receiver.Received, w => w.Id == (string)scheduled["id"]!);

        herald.Time.Advance(TimeSpan.FromMinutes(8));
        // The scheduled delivery and the resend, both at deliverAt.
        var attempts = await client.WaitForAttemptsAsync("acme", (string)scheduled["id"]!, 2);
        Assert.All(attempts, a => Assert.Equal(start + TimeSpan.FromMinutes(10), a!["timestamp"].AsTime()));
    }
}

/// <summary>The problems of a 422 body, whichever of Herald's shapes it has (<c>errors</c>, or Svix's <c>detail</c> list).</summary>
internal static class ValidationErrors
{
    public static JsonObject Single(JsonObject body, params string[] loc)
    {
        var items = (body["errors"] as JsonArray) ?? (body["detail"] as JsonArray) ?? [];
        var expected = new JsonArray([.. loc.Select(l => (JsonNode)l)]).ToJsonString();
        return Assert.Single(items, i => i!["loc"]!.ToJsonString() == expected)!.AsObject();
    }
}
