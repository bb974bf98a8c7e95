using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.Delivery;

/// <summary>
/// Issue 13's noisy neighbour, at real receivers: one application's endpoints never answer, and it has published
/// more than the dispatcher holds and sends at once; another application's webhooks still arrive.
/// </summary>
public sealed class FairDeliveryTests : IAsyncLifetime
{
    private const int HangingEndpoints = 40;

    // The longest per-try limit, so the hanging sends outlast the test: the quiet app must not be waiting for them.
    private readonly HeraldApplication _herald = DeliveryTestKit.LoopbackHerald().With("Herald:Delivery:DefaultTimeout", "00:00:30");
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private WebhookReceiver _hanging = null!;
    private WebhookReceiver _quiet = null!;
    private int _hangsEnded;

    public async Task InitializeAsync()
    {
        _hanging = await WebhookReceiver.StartAsync();
        _hanging.Respond = async (_, context) =>
        {
            try
            {
                await _release.Task.WaitAsync(context.RequestAborted);
            }
            finally
            {
                Interlocked.Increment(ref _hangsEnded);
            }
        };
        _quiet = await WebhookReceiver.StartAsync();
    }

    public async Task DisposeAsync()
    {
        _release.TrySetResult();
        _herald.Dispose();
        await _hanging.DisposeAsync();
        await _quiet.DisposeAsync();
    }

    [Fact]
    public async Task AppWithManyHangingEndpoints_HoldingItsShare_DoesNotHoldUpAnotherAppsWebhooks()
    {
        var client = _herald.CreateAdminClient();
        await client.CreateAppAsync("Noisy", "noisy");
        await client.CreateAppAsync("Quiet", "quiet");
        for (var i = 0; i < HangingEndpoints; i++)
        {
            await client.CreateEndpointAsync("noisy", _hanging.Url($"/noisy/{i}"));
        }

        await client.CreateEndpointAsync("quiet", _quiet.Url());

        // 30 messages × 40 endpoints = 1,200 deliveries: more than the 1,024 a node holds, and with 16 per endpoint
        // more than the 256 sends at once. Without fair shares they took every slot of both.
        for (var i = 0; i < 30; i++)
        {
            await client.PublishAsync("noisy");
        }

        await _hanging.WaitForAsync(200); // Most of the send slots now hang.

        var published = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            published.Add((string)(await client.PublishAsync("quiet"))["id"]!);
        }

        var received = await _quiet.WaitForAsync(5);
        Assert.Equal(0, Volatile.Read(ref _hangsEnded)); // They arrived while every noisy send still hung.
        Assert.Equal(published.Order(), received.Select(r => r.Id).Order());
        Assert.InRange(_hanging.Received.Count, 200, 256 - 1); // The noisy app kept its share, not every slot.
    }
}
