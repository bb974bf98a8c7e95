using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.Delivery;

public sealed class ExpungeTests : IAsyncLifetime
{
    private readonly HeraldApplication _herald = new HeraldApplication()
        .With("Herald:Delivery:AllowedNetworks:0", "127.0.0.0/8")
        .With("Herald:Delivery:Jitter", "0")
        .WithFakeTime();

    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync()
    {
        _receiver = await WebhookReceiver.StartAsync();
        _receiver.Respond = (_, context) =>
        {
            context.Response.StatusCode = 500;
            return Task.CompletedTask;
        };
    }

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        _herald.Dispose();
    }

    [Fact]
    public async Task ExpungingAPayload_CancelsItsPendingRetries_SoNoEmptyBodyIsEverSigned()
    {
        var client = _herald.CreateAdminClient();
        await client.CreateAppAsync("Acme", "acme");
        await client.CreateEndpointAsync("acme", _receiver.Url(), new JsonObject { ["uid"] = "hook" });
        var expunged = (string)(await client.PublishAsync("acme"))["id"]!;
        var kept = (string)(await client.PublishAsync("acme"))["id"]!;
        await _receiver.WaitForAsync(2); // both first attempts failed with 500; retries are due in 5 s

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/v1/app/acme/msg/{expunged}/content")).StatusCode);
        var destinations = await (await client.GetAsync($"/api/v1/app/acme/msg/{expunged}/endpoint")).ReadObjectAsync(HttpStatusCode.OK);
        Assert.Equal(4, (int)destinations["data"]![0]!["status"]!); // canceled

        _herald.Time!.Advance(TimeSpan.FromSeconds(10));
        await _receiver.WaitForAsync(2, r => r.Id == kept); // the other message's retry went out in the same scan

        Assert.Single(_receiver.Received, r => r.Id == expunged);
        Assert.DoesNotContain(_receiver.Received, r => r.BodyText == "{}");
    }
}
