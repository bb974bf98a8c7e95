using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.Delivery;

/// <summary>The attempt log routes (Svix's message-attempt resource): shapes, filters, destinations and endpoint messages.</summary>
public sealed class AttemptLogApiTests : IAsyncLifetime
{
    private readonly HeraldApplication _herald = DeliveryTestKit.LoopbackHerald();
    private WebhookReceiver _receiver = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _receiver = await WebhookReceiver.StartAsync();
        _client = _herald.CreateAdminClient();
        await _client.CreateAppAsync("Acme", "acme");
    }

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        _herald.Dispose();
    }

    [Fact]
    public async Task Destinations_OfMessageThatMatchedNoEndpoint_IsAnEmptyList()
    {
        var message = await _client.PublishAsync("acme");

        var destinations = await _client.GetObjectAsync($"/api/v1/app/acme/msg/{message["id"]}/endpoint");

        Assert.Empty(destinations["data"]!.AsArray());
        Assert.True((bool)destinations["done"]!);
    }

    [Fact]
    public async Task EndpointMessages_OfEndpointWithoutMessages_IsAnEmptyList()
    {
        var endpoint = await _client.CreateEndpointAsync("acme", _receiver.Url());

        var messages = await _client.GetObjectAsync($"/api/v1/app/acme/endpoint/{endpoint["id"]}/msg");

        Assert.Empty(messages["data"]!.AsArray());
    }
}
