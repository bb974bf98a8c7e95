using Herald.Server.Tests.Delivery;
using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.Cluster;

/// <summary>
/// <c>deliverAt</c> on a cluster: two Herald nodes on one PostgreSQL database, each scanning for due deliveries on its
/// own clock, both fake and moved together. A scheduled message is attempted by no node before its time, and exactly
/// once after it, however many scans both nodes make. Earlier and later scheduled messages ("barriers") show scans ran
/// at those times.
/// </summary>
public sealed class ScheduledDeliveryClusterTests : IAsyncLifetime
{
    private static readonly TimeSpan Ahead = TimeSpan.FromSeconds(90);

    private readonly HeraldApplication _nodeA = DeliveryTestKit.FakeTimeHerald();
    private HeraldApplication _nodeB = null!;
    private WebhookReceiver _receiver = null!;
    private HttpClient _a = null!;
    private HttpClient _b = null!;

    public async Task InitializeAsync()
    {
        _receiver = await WebhookReceiver.StartAsync();
        _a = _nodeA.CreateAdminClient(); // started, so its database exists
        _nodeB = _nodeA.AnotherNode().WithFakeTime().With("Herald:Delivery:AllowedNetworks:0", DeliveryTestKit.Loopback);
        _b = _nodeB.CreateAdminClient();
        Assert.Equal(_nodeA.Time!.GetUtcNow(), _nodeB.Time!.GetUtcNow());
        await _a.CreateAppAsync("Acme", "acme");
        await _a.CreateEndpointAsync("acme", _receiver.Url());
    }

    public async Task DisposeAsync()
    {
        await _nodeB.DisposeAsync();
        await _nodeA.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task ScheduledMessage_TwoNodes_NoAttemptBeforeDeliverAt_AndExactlyOneAfter()
    {
        var start = _nodeA.Time!.GetUtcNow();
        var deliverAt = start + Ahead;
        var scheduled = await PublishAsync(_a, deliverAt);
        var barrier = await PublishAsync(_b, deliverAt - TimeSpan.FromSeconds(1));

        // One second before: a scan at that time has run (the barrier went) and no node took the message; both clocks
        // read that time, so no scan of either can take it yet.
        Advance(Ahead - TimeSpan.FromSeconds(1));
        await _receiver.WaitForAsync(1, w => w.Id == barrier);
        await _a.WaitForAttemptsAsync("acme", barrier, 1);
        Assert.DoesNotContain(_receiver.Received, w => w.Id == scheduled);
        Assert.Empty(await _b.GetDataAsync($"/api/v1/app/acme/attempt/msg/{scheduled}"));

        // At deliverAt it goes; then both nodes scan on for another minute and more, with later barriers through each.
        Advance(TimeSpan.FromSeconds(1));
        await _receiver.WaitForAsync(1, w => w.Id == scheduled);
        var laterA = await PublishAsync(_a, deliverAt + TimeSpan.FromSeconds(60));
        var laterB = await PublishAsync(_b, deliverAt + TimeSpan.FromSeconds(61));
        Advance(TimeSpan.FromSeconds(61));
        await _receiver.WaitForAsync(1, w => w.Id == laterA);
        await _receiver.WaitForAsync(1, w => w.Id == laterB);

        Assert.Single(_receiver.Received, w => w.Id == scheduled);
        var attempt = Assert.Single(await _a.GetDataAsync($"/api/v1/app/acme/attempt/msg/{scheduled}"))!;
        Assert.Equal(deliverAt, attempt["timestamp"].AsTime());
        Assert.Equal(0, (int)attempt["status"]!);
    }

    private void Advance(TimeSpan by)
    {
        _nodeA.Time!.Advance(by);
        _nodeB.Time!.Advance(by);
    }

    private static async Task<string> PublishAsync(HttpClient node, DateTimeOffset deliverAt) =>
        (string)(await node.PublishAsync("acme", extra: new JsonObject
        {
            ["deliverAt"] = deliverAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        }))["id"]!;
}
