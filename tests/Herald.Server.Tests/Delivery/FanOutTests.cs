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
}
