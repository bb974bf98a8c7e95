using Herald.Server.Delivery;
using Herald.Server.Storage;
using Herald.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Herald.Server.Tests.Delivery;

/// <summary>
/// Storage fails right after a webhook was sent (a stopped database): the outcome is kept in memory and written when
/// storage answers again, so the delivery is neither parked for its lease nor sent twice, and the outage is logged
/// once, not at every retry. On a fake clock; storage fails on demand (<see cref="FailingStore"/>).
/// </summary>
public sealed class StorageOutageTests : IAsyncLifetime
{
    /// <summary>What the dispatcher writes and claims once it has read a delivery; publishing and the API's reads keep working.</summary>
    private static readonly string[] DispatcherStorage =
    [
        nameof(IHeraldStore.RecordAttemptAsync), nameof(IHeraldStore.GetAttemptAsync), nameof(IHeraldStore.ReleaseDeliveryAsync),
        nameof(IHeraldStore.ClaimDueDeliveriesAsync), nameof(IHeraldStore.DisableEndpointAsync),
    ];

    private static readonly string[] Bookkeeping = [nameof(IHeraldStore.RecordAttemptAsync), nameof(IHeraldStore.GetAttemptAsync)];

    private readonly HeraldApplication _herald = DeliveryTestKit.FakeTimeHerald();
    private readonly CapturedLogs _logs = new();
    private FailingStore _store = null!;
    private WebApplicationFactory<Program> _server = null!;
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync()
    {
        _receiver = await WebhookReceiver.StartAsync();
        _server = _herald.WithWebHostBuilder(builder =>
        {
            builder.ConfigureLogging(logging => logging.AddProvider(_logs));
            builder.ConfigureTestServices(services =>
            {
                var engine = services.Last(d => d.ServiceType == typeof(IHeraldStore));
                services.Remove(engine);
                services.AddSingleton(provider => (_store = FailingStore.Wrap((IHeraldStore)engine.ImplementationFactory!(provider))).Store);
            });
        });
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        (_store?.Inner as IDisposable)?.Dispose();
        _herald.Dispose();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task OutcomeOfASend_WhenStorageFailsUntilLater_IsRecordedOnceStorageAnswers_AndNotSentAgain()
    {
        var time = _herald.Time!;
        var client = _server.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", HeraldApplication.AdminToken);
        await client.CreateAppAsync("Outage", "outage");
        await client.CreateEndpointAsync("outage", _receiver.Url());
        var leaseEnds = time.GetUtcNow() + new DeliveryOptions().LeaseDuration;

        _store.Fail(DispatcherStorage);
        var messageId = (string)(await client.PublishAsync("outage"))["id"]!;
        await _receiver.WaitForAsync(1);
        await DeliveryTestKit.EventuallyAsync(() => Task.FromResult(_store.Failures(Bookkeeping) >= 1), "recording the attempt failed");
        for (var i = 0; i < 4; i++)
        {
            // Some seconds of outage: the outcome is retried (100 ms, doubling to 5 s) and still not written. The clock
            // moves while polling: a retry's wait may start after any one move.
            var tries = _store.Failures(Bookkeeping);
            await EventuallyWhileTimePassesAsync(() => Task.FromResult(_store.Failures(Bookkeeping) > tries), $"recording was tried again ({i + 1})");
        }

        Assert.Empty(await client.GetDataAsync($"/api/v1/app/outage/attempt/msg/{messageId}"));

        _store.Heal();
        await EventuallyWhileTimePassesAsync(
            async () => (await client.GetDataAsync($"/api/v1/app/outage/attempt/msg/{messageId}")).Count > 0, "the attempt was recorded");
        var attempts = await client.GetDataAsync($"/api/v1/app/outage/attempt/msg/{messageId}");
        Assert.Equal(0, (int)attempts[0]!["status"]!);
        Assert.Equal(0, (int)(await client.GetDataAsync($"/api/v1/app/outage/msg/{messageId}/endpoint"))[0]!["status"]!);

        // Past the lease the delivery was held under, a scan finds nothing of it to send again.
        time.Advance(TimeSpan.FromTicks(Math.Max(leaseEnds.Ticks - time.GetUtcNow().Ticks, 0)) + TimeSpan.FromSeconds(1));
        await DeliveryTestKit.EventuallyAsync(() => Task.FromResult(_store.Claims.Any(c => c.Now > leaseEnds)), "a scan ran after the lease ended");
        Assert.DoesNotContain(_store.Claims.SelectMany(c => c.Claimed), d => d.MessageId == messageId);
        Assert.Single(await client.GetDataAsync($"/api/v1/app/outage/attempt/msg/{messageId}"));
        Assert.Single(_receiver.Received, w => w.Id == messageId);

        // One warning when the outage began, and no error; no line per retry or per failed scan.
        Assert.Empty(_logs.AtLeast(LogLevel.Error));
        Assert.Single(_logs.AtLeast(LogLevel.Warning));
        Assert.Single(_logs.Entries, e => e.EventId == 2012); // storage answers again
    }

    private Task EventuallyWhileTimePassesAsync(Func<Task<bool>> condition, string what) =>
        DeliveryTestKit.EventuallyAsync(
            async () =>
            {
                if (await condition())
                {
                    return true;
                }

                _herald.Time!.Advance(TimeSpan.FromMilliseconds(500));
                return false;
            },
            what);
}
