using Herald.Server.Storage;
using Herald.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Herald.Server.Tests.Delivery;

/// <summary>
/// An endpoint that cannot take more sends on this node (one send at a time, hanging, and its room of deliveries held)
/// has the rest of its backlog in storage. A publish leaves its delivery there instead of taking it into memory only to
/// hand it back (ClaimRoom.HasRoom), and the scans that follow must not claim that backlog only to hand it back unsent:
/// each claim and each hand-back rewrites the delivery's row (SCALING.md, a failing endpoint). Once the endpoint answers,
/// the backlog flows from storage. On a fake clock; the store counts the dispatcher's calls (<see cref="FailingStore"/>).
/// </summary>
public sealed class BusyEndpointClaimTests : IAsyncLifetime
{
    private const int Messages = 20;

    // One send at a time to an endpoint: its backlog claims 2 at a time, and 4 may wait for the send (EndpointLimits).
    private readonly HeraldApplication _herald = DeliveryTestKit.FakeTimeHerald()
        .With("Herald:Delivery:MaxConcurrentPerEndpoint", "1")
        .With("Herald:Delivery:MaxConcurrentPerEndpointCeiling", "1");

    private readonly TaskCompletionSource _unblock = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private FailingStore _store = null!;
    private WebApplicationFactory<Program> _server = null!;
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync()
    {
        _receiver = await WebhookReceiver.StartAsync();
        _receiver.Respond = async (_, context) =>
        {
            await _unblock.Task;
            context.Response.StatusCode = 200;
        };
        _server = _herald.WithWebHostBuilder(builder => builder.ConfigureTestServices(services =>
        {
            var engine = services.Last(d => d.ServiceType == typeof(IHeraldStore));
            services.Remove(engine);
            services.AddSingleton(provider => (_store = FailingStore.Wrap((IHeraldStore)engine.ImplementationFactory!(provider))).Store);
        }));
    }

    public async Task DisposeAsync()
    {
        _unblock.TrySetResult();
        await _server.DisposeAsync();
        (_store?.Inner as IDisposable)?.Dispose();
        _herald.Dispose();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task BacklogOfASaturatedEndpoint_WhileItsSendHangs_StaysInStorageUnclaimed()
    {
        var (client, endpointId) = await PublishToHangingEndpointAsync();

        var claimsBefore = _store.Claims.Count;
        for (var second = 1; second <= 5; second++)
        {
            await ScanAsync(second);
        }

        // The publishes left all but the endpoint's room in storage and the scans claimed none of it, so nothing was
        // taken into memory to be handed back.
        Assert.True(_store.Claims.Count > claimsBefore);
        Assert.DoesNotContain(_store.Claims.Skip(claimsBefore).SelectMany(c => c.Claimed), d => d.EndpointId == endpointId);
        Assert.Equal(0, _store.Calls(nameof(IHeraldStore.ReleaseDeliveryAsync)));
        Assert.Single(_receiver.Received);
        var stats = await client.GetObjectAsync($"/api/v1/app/busy/endpoint/{endpointId}/stats");
        Assert.Equal(Messages, (int)stats["pending"]! + (int)stats["sending"]!);
    }

    [Fact]
    public async Task BacklogLeftInStorage_OnceTheEndpointAnswers_IsAllDelivered()
    {
        await PublishToHangingEndpointAsync();

        _unblock.TrySetResult();
        for (var second = 1; _receiver.Received.Count < Messages; second++)
        {
            Assert.True(second <= 60, $"{_receiver.Received.Count} of {Messages} delivered after {second - 1} scans");
            await ScanAsync(second);
        }

        Assert.Equal(Messages, _receiver.Received.Select(w => w.Headers["webhook-id"]).Distinct().Count());
        Assert.Equal(0, _store.Calls(nameof(IHeraldStore.ReleaseDeliveryAsync)));
    }

    /// <summary>Publishes <see cref="Messages"/> messages to an endpoint whose first send hangs, once the dispatcher runs.</summary>
    private async Task<(HttpClient Client, string EndpointId)> PublishToHangingEndpointAsync()
    {
        var client = _server.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", HeraldApplication.AdminToken);
        await client.CreateAppAsync("Busy", "busy");
        var endpointId = (string)(await client.CreateEndpointAsync("busy", _receiver.Url()))["id"]!;
        // A scan has run, so the dispatcher takes publishes (it attaches to the queue before it first scans).
        await ScanAsync(0);
        for (var i = 0; i < Messages; i++)
        {
            await client.PublishAsync("busy");
        }

        await _receiver.WaitForAsync(1);
        return (client, endpointId);
    }

    private async Task ScanAsync(int second)
    {
        _herald.Time!.Advance(TimeSpan.FromSeconds(1));
        var now = _herald.Time.GetUtcNow();
        await DeliveryTestKit.EventuallyAsync(() => Task.FromResult(_store.Claims.Any(c => c.Now >= now)), $"a scan ran at second {second}");
    }
}
