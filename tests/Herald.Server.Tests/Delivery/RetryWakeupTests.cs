using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.Delivery;

/// <summary>A retry is tried at its due time, woken by a timer of the node that scheduled it, not by the periodic scan.</summary>
public sealed class RetryWakeupTests : IAsyncLifetime
{
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await WebhookReceiver.StartAsync();

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    [Fact]
    public async Task Retry_WhenItsTimeComes_IsAttemptedWithoutWaitingForTheScan()
    {
        // The periodic scan is an hour away: only the due-time wake-up can send the retry.
        using var herald = DeliveryTestKit.FakeTimeHerald(TimeSpan.FromSeconds(1)).With("Herald:Delivery:ScanInterval", "01:00:00");
        var client = herald.CreateAdminClient();
        await client.CreateAppAsync("Wake", "wake");
        await client.CreateEndpointAsync("wake", _receiver.Url());
        _receiver.Respond = (_, context) =>
        {
            context.Response.StatusCode = _receiver.Received.Count == 1 ? 500 : 200;
            return Task.CompletedTask;
        };
        var messageId = (string)(await client.PublishAsync("wake"))["id"]!;
        var first = await client.WaitForAttemptsAsync("wake", messageId, 1);
        var due = (await client.DestinationAsync("wake", messageId, (string)first[0]!["endpointId"]!))["nextAttempt"].AsTime();
        Assert.Equal(herald.Time!.GetUtcNow() + TimeSpan.FromSeconds(1), due);

        herald.Time.Advance(TimeSpan.FromMilliseconds(999));
        herald.Time.Advance(TimeSpan.FromMilliseconds(1));

        var attempts = await client.WaitForAttemptsAsync("wake", messageId, 2);
        Assert.Equal(0, (int)attempts[0]!["status"]!);
        Assert.Equal(due, attempts[0]!["timestamp"].AsTime());
        Assert.Equal(2, _receiver.Received.Count);
    }
}
