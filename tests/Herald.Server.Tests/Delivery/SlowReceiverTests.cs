using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.Delivery;

public sealed class SlowReceiverTests : IAsyncLifetime
{
    // Two sends at once in all, one per endpoint: the tightest setting in which starvation would show.
    private readonly HeraldApplication _herald = new HeraldApplication()
        .With("Herald:Delivery:AllowedNetworks:0", "127.0.0.0/8")
        .With("Herald:Delivery:MaxConcurrentSends", "2")
        .With("Herald:Delivery:MaxConcurrentPerEndpoint", "1");

    private readonly TaskCompletionSource _unblock = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private WebhookReceiver _slow = null!;
    private WebhookReceiver _fast = null!;

    public async Task InitializeAsync()
    {
        _slow = await WebhookReceiver.StartAsync();
        _slow.Respond = async (_, context) =>
        {
            await _unblock.Task;
            context.Response.StatusCode = 200;
        };
        _fast = await WebhookReceiver.StartAsync();
    }

    public async Task DisposeAsync()
    {
        _unblock.TrySetResult();
        await _slow.DisposeAsync();
        await _fast.DisposeAsync();
        _herald.Dispose();
    }

    [Fact]
    public async Task ABacklogForAReceiverThatNeverAnswers_DoesNotHoldUpOtherEndpoints()
    {
        var client = _herald.CreateAdminClient();
        await client.CreateAppAsync("Slow", "slow");
        await client.CreateAppAsync("Fast", "fast");
        await client.CreateEndpointAsync("slow", _slow.Url());
        await client.CreateEndpointAsync("fast", _fast.Url());
        for (var i = 0; i < 30; i++)
        {
            await client.PublishAsync("slow");
        }

        await _slow.WaitForAsync(1);
        var message = await client.PublishAsync("fast");

        var received = await _fast.WaitForAsync(1);
        Assert.Equal((string?)message["id"], received[0].Id);
        Assert.Single(_slow.Received); // one at a time to the slow endpoint, and it has not answered yet
    }
}
