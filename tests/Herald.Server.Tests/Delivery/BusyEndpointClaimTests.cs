using Herald.Server.Storage;
using Herald.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Herald.Server.Tests.Delivery;

/// <summary>
/// An endpoint that cannot take more sends on this node (one send at a time, hanging, and as many waiting as its limit
/// lets wait) has the rest of its backlog in storage, due a second later. The scans that follow must not claim that
/// backlog only to hand it back unsent: each claim and each hand-back rewrites the delivery's row (SCALING.md, a
/// failing endpoint). On a fake clock; the store counts the dispatcher's calls (<see cref="FailingStore"/>).
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
    public async Task BacklogOfASaturatedEndpoint_WhileItsSendHangs_IsNotClaimedAndHandedBackEverySecond()
    {
        var time = _herald.Time!;
        var client = _server.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", HeraldApplication.AdminToken);
        await client.CreateAppAsync("Busy", "busy");
        var endpointId = (string)(await client.CreateEndpointAsync("busy", _receiver.Url()))["id"]!;
        for (var i = 0; i < Messages; i++)
        {
            await client.PublishAsync("busy");
        }

        // One sends (and hangs), 4 wait for it; the other 15 go back to storage, due in a second.
        await _receiver.WaitForAsync(1);
        const int handedBack = Messages - 1 - 4;
        await DeliveryTestKit.EventuallyAsync(
            () => Task.FromResult(_store.Calls(nameof(IHeraldStore.ReleaseDeliveryAsync)) >= handedBack), "the backlog went back to storage");

        var claimsBefore = _store.Claims.Count;
        for (var second = 1; second <= 5; second++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            var now = time.GetUtcNow();
            await DeliveryTestKit.EventuallyAsync(() => Task.FromResult(_store.Claims.Any(c => c.Now >= now)), $"a scan ran at second {second}");
        }

        // The scans claimed none of the endpoint's backlog, so none of it was handed back again.
        Assert.True(_store.Claims.Count > claimsBefore);
        Assert.DoesNotContain(_store.Claims.Skip(claimsBefore).SelectMany(c => c.Claimed), d => d.EndpointId == endpointId);
        Assert.Equal(handedBack, _store.Calls(nameof(IHeraldStore.ReleaseDeliveryAsync)));
        Assert.Single(_receiver.Received);
    }
}
