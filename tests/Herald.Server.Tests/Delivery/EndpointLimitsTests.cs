using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.Delivery;

/// <summary>Per-endpoint throttleRate and concurrency cap, observed at a real receiver.</summary>
public sealed class EndpointLimitsTests : IAsyncLifetime
{
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await WebhookReceiver.StartAsync();

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    [Fact]
    public async Task ThrottleRate_BoundsHowManyWebhooksArriveInAnySecond()
    {
        using var herald = DeliveryTestKit.LoopbackHerald();
        var client = herald.CreateAdminClient();
        await client.CreateAppAsync("Acme", "acme");
        await client.CreateEndpointAsync("acme", _receiver.Url(), new JsonObject { ["throttleRate"] = 2 });

        for (var i = 0; i < 8; i++)
        {
            await client.PublishAsync("acme");
        }

        var arrivals = (await _receiver.WaitForAsync(8)).Select(r => r.ReceivedAt).Order().ToList();
        // A token bucket of 2 tokens refilled with 2 each second: a window shorter than a second holds at most one
        // refill, so at most 2 (what the bucket held) + 2 (the refill) = 4 arrivals. Unthrottled, all 8 arrive at once.
        var busiestSecond = arrivals.Max(start => arrivals.Count(t => t >= start && t < start + TimeSpan.FromSeconds(1)));
        Assert.InRange(busiestSecond, 1, 4);
    }

    [Fact]
    public async Task ConcurrencyCap_LimitsRequestsInFlightToOneEndpoint_AndOthersStillGetTheirs()
    {
        using var herald = DeliveryTestKit.LoopbackHerald().With("Herald:Delivery:MaxConcurrentPerEndpoint", "2")
            .With("Herald:Delivery:MaxConcurrentPerEndpointCeiling", "2"); // Fixed: fast answers do not raise it.
        var client = herald.CreateAdminClient();
        await client.CreateAppAsync("Acme", "acme");
        await client.CreateEndpointAsync("acme", _receiver.Url("/slow"), new JsonObject { ["channels"] = new JsonArray("slow") });
        await client.CreateEndpointAsync("acme", _receiver.Url("/fast"), new JsonObject { ["channels"] = new JsonArray("fast") });
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int inFlight = 0, mostInFlight = 0;
        _receiver.Respond = async (webhook, context) =>
        {
            if (webhook.Path == "/slow")
            {
                var now = Interlocked.Increment(ref inFlight);
                InterlockedMax(ref mostInFlight, now);
                await release.Task;
                Interlocked.Decrement(ref inFlight);
            }

            context.Response.StatusCode = 200;
        };

        try
        {
            for (var i = 0; i < 5; i++)
            {
                await client.PublishAsync("acme", "invoice.paid", new JsonObject { ["channels"] = new JsonArray("slow") });
            }

            await _receiver.WaitForAsync(2, r => r.Path == "/slow");
            var fast = await client.PublishAsync("acme", "invoice.paid", new JsonObject { ["channels"] = new JsonArray("fast") });

            Assert.Equal((string?)fast["id"], (await _receiver.WaitForAsync(1, r => r.Path == "/fast")).Single().Id);
            Assert.Equal(2, _receiver.Received.Count(r => r.Path == "/slow"));
        }
        finally
        {
            release.SetResult();
        }

        await _receiver.WaitForAsync(5, r => r.Path == "/slow");
        Assert.Equal(2, Volatile.Read(ref mostInFlight));
    }

    [Fact]
    public async Task ConcurrencyLimit_AfterA503_IsHalvedInTheEndpointStats()
    {
        using var herald = DeliveryTestKit.LoopbackHerald().With("Herald:Delivery:MaxConcurrentPerEndpoint", "4");
        var client = herald.CreateAdminClient();
        await client.CreateAppAsync("Acme", "acme");
        var endpoint = await client.CreateEndpointAsync("acme", _receiver.Url("/busy"));
        var stats = $"/api/v1/app/acme/endpoint/{(string)endpoint["id"]!}/stats";
        _receiver.Respond = (_, context) =>
        {
            context.Response.StatusCode = 503;
            return Task.CompletedTask;
        };
        Assert.Equal(4, (int)(await client.GetObjectAsync(stats))["concurrencyLimit"]!);

        await client.PublishAsync("acme");

        await _receiver.WaitForAsync(1);
        await DeliveryTestKit.EventuallyAsync(
            async () => (int)(await client.GetObjectAsync(stats))["concurrencyLimit"]! == 2, "the 503 halved the endpoint's limit from 4 to 2");
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
