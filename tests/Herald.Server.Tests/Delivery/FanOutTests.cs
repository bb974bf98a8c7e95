using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.Delivery;

public sealed class FanOutTests : IAsyncLifetime
{
    private readonly HeraldApplication _herald = new HeraldApplication().With("Herald:Delivery:AllowedNetworks:0", "127.0.0.0/8");
    private WebhookReceiver _receiver = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _receiver = await WebhookReceiver.StartAsync();
        _client = _herald.CreateAdminClient();
    }

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        _herald.Dispose();
    }

    [Fact]
    public async Task Publish_DeliversToEveryMatchingEndpoint_AndNotToOthers()
    {
        await _client.CreateEventTypeAsync("invoice.paid");
        await _client.CreateEventTypeAsync("invoice.void");
        await _client.CreateAppAsync("Acme", "acme");
        await _client.CreateEndpointAsync("acme", _receiver.Url("/all"));
        await _client.CreateEndpointAsync("acme", _receiver.Url("/paid"), new JsonObject { ["eventTypes"] = new JsonArray("invoice.paid") });
        await _client.CreateEndpointAsync("acme", _receiver.Url("/void"), new JsonObject { ["eventTypes"] = new JsonArray("invoice.void") });
        await _client.CreateEndpointAsync("acme", _receiver.Url("/eu"), new JsonObject { ["channels"] = new JsonArray("eu") });
        await _client.CreateEndpointAsync("acme", _receiver.Url("/disabled"), new JsonObject { ["disabled"] = true });

        var message = await _client.PublishAsync("acme", "invoice.paid", new JsonObject { ["channels"] = new JsonArray("eu", "vip"), ["payload"] = new JsonObject { ["n"] = 1 } });

        var received = await _receiver.WaitForAsync(3);
        Assert.Equal(["/all", "/eu", "/paid"], received.Select(r => r.Path).Order());
        Assert.All(received, r => Assert.Equal((string?)message["id"], r.Id));
        Assert.All(received, r => Assert.Equal("""{"n":1}""", r.BodyText));
        // Fan-out is decided in the publish transaction: exactly these three deliveries exist, none other will come.
        var destinations = await (await _client.GetAsync($"/api/v1/app/acme/msg/{message["id"]}/endpoint")).ReadObjectAsync(HttpStatusCode.OK);
        Assert.Equal(3, destinations["data"]!.AsArray().Count);
    }

    [Fact]
    public async Task ChannelFilteredEndpoint_GetsOnlyMessagesCarryingOneOfItsChannels()
    {
        await _client.CreateAppAsync("Acme", "acme");
        await _client.CreateEndpointAsync("acme", _receiver.Url("/all"));
        var eu = await _client.CreateEndpointAsync("acme", _receiver.Url("/eu"), new JsonObject { ["channels"] = new JsonArray("eu", "eu-west") });

        var euOnly = await _client.PublishAsync("acme", "invoice.paid", new JsonObject { ["channels"] = new JsonArray("eu") });
        var usOnly = await _client.PublishAsync("acme", "invoice.paid", new JsonObject { ["channels"] = new JsonArray("us") });
        var noChannels = await _client.PublishAsync("acme", "invoice.paid");
        var usAndEuWest = await _client.PublishAsync("acme", "invoice.paid", new JsonObject { ["channels"] = new JsonArray("us", "eu-west") });

        await _receiver.WaitForAsync(4, r => r.Path == "/all");
        var atEu = await _receiver.WaitForAsync(2, r => r.Path == "/eu");
        Assert.Equal(new[] { (string?)euOnly["id"], (string?)usAndEuWest["id"] }.Order(), atEu.Select(r => r.Id).Order());
        // The deliveries were decided when each message was published: none to /eu exists for the others.
        foreach (var message in new[] { usOnly, noChannels })
        {
            var destinations = await _client.GetDataAsync($"/api/v1/app/acme/msg/{message["id"]}/endpoint");
            Assert.DoesNotContain(destinations, d => (string?)d!["id"] == (string?)eu["id"]);
            Assert.Single(destinations);
        }

        Assert.Equal(2, _receiver.Received.Count(r => r.Path == "/eu"));
    }

    [Fact]
    public async Task EventTypeAndChannelFilters_MustBothMatch()
    {
        await _client.CreateEventTypeAsync("invoice.paid");
        await _client.CreateEventTypeAsync("invoice.void");
        await _client.CreateAppAsync("Acme", "acme");
        await _client.CreateEndpointAsync("acme", _receiver.Url("/all"));
        await _client.CreateEndpointAsync("acme", _receiver.Url("/paid-eu"), new JsonObject
        {
            ["eventTypes"] = new JsonArray("invoice.paid"),
            ["channels"] = new JsonArray("eu"),
        });

        var paidEu = await _client.PublishAsync("acme", "invoice.paid", new JsonObject { ["channels"] = new JsonArray("eu") });
        await _client.PublishAsync("acme", "invoice.void", new JsonObject { ["channels"] = new JsonArray("eu") });
        await _client.PublishAsync("acme", "invoice.paid", new JsonObject { ["channels"] = new JsonArray("us") });

        await _receiver.WaitForAsync(3, r => r.Path == "/all");
        var matched = await _receiver.WaitForAsync(1, r => r.Path == "/paid-eu");
        Assert.Equal((string?)paidEu["id"], Assert.Single(matched).Id);
    }

    [Fact]
    public async Task DisabledEndpoint_ParksItsPendingDelivery_AndReenablingResumesIt()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var herald = DeliveryTestKit.FakeTimeHerald(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5));
        var client = herald.CreateAdminClient();
        await client.CreateAppAsync("Acme", "acme");
        var endpoint = await client.CreateEndpointAsync("acme", receiver.Url("/flaky"));
        var endpointId = (string)endpoint["id"]!;
        receiver.Respond = DeliveryTestKit.Always(500);
        var message = await client.PublishAsync("acme");
        var messageId = (string)message["id"]!;
        await client.WaitForAttemptsAsync("acme", messageId, 1);

        (await client.SendJsonAsync(HttpMethod.Patch, $"/api/v1/app/acme/endpoint/{endpointId}", """{"disabled":true}""")).EnsureSuccessStatusCode();
        receiver.Respond = DeliveryTestKit.Always(200);
        herald.Time!.Advance(TimeSpan.FromSeconds(6));
        // The retry fell due while the endpoint was disabled: it is parked (still pending, nothing scheduled) instead of sent.
        await DeliveryTestKit.EventuallyAsync(
            async () => (await client.DestinationAsync("acme", messageId, endpointId))["nextAttempt"] is null, "the due retry is parked");
        var whileDisabled = await client.PublishAsync("acme");
        herald.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, (int)(await client.DestinationAsync("acme", messageId, endpointId))["status"]!);
        Assert.Empty(await client.GetDataAsync($"/api/v1/app/acme/msg/{whileDisabled["id"]}/endpoint"));
        Assert.Single(receiver.Received);

        (await client.SendJsonAsync(HttpMethod.Patch, $"/api/v1/app/acme/endpoint/{endpointId}", """{"disabled":false}""")).EnsureSuccessStatusCode();
        herald.Time.Advance(TimeSpan.FromSeconds(2));

        var received = await receiver.WaitForAsync(2);
        Assert.All(received, r => Assert.Equal(messageId, r.Id));
        var attempts = await client.WaitForAttemptsAsync("acme", messageId, 2);
        Assert.Equal(0, (int)attempts[0]!["status"]!);
        Assert.Equal(0, (int)(await client.DestinationAsync("acme", messageId, endpointId))["status"]!);
    }
}
