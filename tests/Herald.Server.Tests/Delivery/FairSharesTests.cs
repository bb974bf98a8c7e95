using Herald.Server.Delivery;
using Microsoft.Extensions.Time.Testing;

namespace Herald.Server.Tests.Delivery;

/// <summary>The fairness policy of the dispatcher's slots on its own: who gets a slot now, and who gets the next one.</summary>
public sealed class FairSharesTests
{
    private static FairShares<string> Pool(int capacity = 32) => new(capacity);

    private static int Fill(FairShares<string> pool, string app, int endpoints, int perEndpoint = int.MaxValue)
    {
        var taken = 0;
        for (var e = 0; e < endpoints; e++)
        {
            for (var i = 0; i < perEndpoint && pool.TryTake(app, $"{app}-ep{e}"); i++)
            {
                taken++;
            }
        }

        return taken;
    }

    [Fact]
    public void OneApplication_Alone_MayUseEverySlotButTheReserve()
    {
        var pool = Pool(32);

        var taken = Fill(pool, "noisy", endpoints: 40, perEndpoint: 1);

        Assert.Equal(2, pool.Reserve);
        Assert.Equal(30, taken);
        Assert.False(pool.TryTake("noisy", "another"));
    }

    [Fact]
    public void Newcomer_WhileAnotherHoldsEverythingButTheReserve_GetsSlotsAtOnce()
    {
        var pool = Pool(256);
        Fill(pool, "noisy", endpoints: 40, perEndpoint: 16);

        for (var i = 0; i < pool.Floor; i++)
        {
            Assert.True(pool.TryTake("quiet", "ep"));
        }

        Assert.Equal(pool.Floor, pool.HeldBy("quiet"));
        Assert.True(pool.TryTake("third", "ep")); // The reserve serves more than one newcomer.
    }

    [Fact]
    public void FreedSlot_WhileAnAppUnderItsShareWaits_GoesToItNotToTheAppOverItsShare()
    {
        var pool = Pool(32);
        Fill(pool, "noisy", endpoints: 40, perEndpoint: 1);
        Assert.True(pool.TryTake("quiet", "ep")); // the floor (1 of 32)
        Assert.False(pool.TryTake("quiet", "ep"));
        pool.Enqueue("quiet", "ep", "quiet-1");
        pool.Enqueue("noisy", "noisy-ep0", "noisy-1");

        // Once enough of the noisy app's slots are back that the reserve is whole again, the quiet app is served first.
        pool.Release("noisy", "noisy-ep1");
        Assert.False(pool.TryGrantNext(out _)); // one free slot is the reserve's
        pool.Release("noisy", "noisy-ep2");
        pool.Release("noisy", "noisy-ep3");

        Assert.True(pool.TryGrantNext(out var first));
        Assert.Equal("quiet-1", first);
        Assert.True(pool.TryGrantNext(out var second)); // nobody else waits now: idle slots go to the app over its share,
        Assert.Equal("noisy-1", second);
        Assert.Equal(pool.Capacity - pool.Reserve, pool.InUse); // but never the reserve
    }

    [Fact]
    public void OverShareApp_WhenNobodyElseWaits_GetsIdleSlots()
    {
        var pool = Pool(32);
        Assert.True(pool.TryTake("quiet", "ep"));
        Fill(pool, "busy", endpoints: 1, perEndpoint: 20); // over a two-app share of 15: work-conserving

        Assert.Equal(20, pool.HeldBy("busy"));
    }

    [Fact]
    public void OverShareApp_WhileAnotherWaits_GetsNoNewSlot()
    {
        var pool = Pool(32);
        Fill(pool, "busy", endpoints: 1, perEndpoint: 29);
        Fill(pool, "other", endpoints: 1, perEndpoint: 1);
        pool.Enqueue("other", "other-ep0", "other-1");
        pool.Release("busy", "busy-ep0");
        pool.Release("busy", "busy-ep0");

        Assert.False(pool.TryTake("busy", "busy-ep0"));
        Assert.True(pool.TryGrantNext(out var next));
        Assert.Equal("other-1", next);
    }

    [Fact]
    public void FreedSlots_AmongWaitingApps_AreHandedOutRoundRobinNotByArrival()
    {
        var pool = Pool(16);
        Fill(pool, "a", endpoints: 1, perEndpoint: 15);
        for (var i = 0; i < 4; i++)
        {
            pool.Enqueue("a", "a-ep0", $"a-{i}");
        }

        pool.Enqueue("b", "ep", "b-0");
        pool.Enqueue("c", "ep", "c-0");
        pool.Enqueue("b", "ep", "b-1");

        var order = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            pool.Release("a", "a-ep0");
            while (pool.TryGrantNext(out var next))
            {
                order.Add(next);
            }
        }

        // b and c (below their share) first, one each in turn; a (over its share) only when they are served.
        Assert.Equal(["b-0", "c-0", "b-1"], order.Take(3));
        Assert.All(order.Skip(3), w => Assert.StartsWith("a-", w));
    }

    [Fact]
    public void FreedSlots_WithinOneApp_GoRoundRobinOverItsEndpoints()
    {
        var pool = Pool(4);
        Fill(pool, "a", endpoints: 1, perEndpoint: 3);
        pool.Enqueue("a", "hog", "hog-1");
        pool.Enqueue("a", "hog", "hog-2");
        pool.Enqueue("a", "hog", "hog-3");
        pool.Enqueue("a", "small", "small-1");

        var order = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            pool.Release("a", "a-ep0");
            Assert.True(pool.TryGrantNext(out var next));
            order.Add(next);
        }

        Assert.Equal(["hog-1", "small-1", "hog-2"], order);
    }

    [Fact]
    public void Remove_OfAGrantedWaiter_SaysItWasGranted()
    {
        var pool = Pool(2);
        Assert.True(pool.TryTake("a", "ep"));
        pool.Enqueue("a", "ep", "w");
        Assert.Equal(1, pool.Waiting);
        Assert.True(pool.Remove("a", "ep", "w"));
        Assert.Equal(0, pool.Waiting);

        pool.Enqueue("a", "ep", "w2");
        pool.Release("a", "ep");
        Assert.True(pool.TryGrantNext(out _));
        Assert.False(pool.Remove("a", "ep", "w2"));
    }

    [Fact]
    public async Task SendSlots_AWaitThatOutlastsItsLimit_GivesUpAndLeavesNoSlotTaken()
    {
        var time = new FakeTimeProvider();
        var slots = new SendSlots(1, time);
        Assert.True(await slots.AcquireAsync("a", "ep", TimeSpan.FromSeconds(30), CancellationToken.None));

        var waiting = slots.AcquireAsync("b", "ep", TimeSpan.FromSeconds(30), CancellationToken.None).AsTask();
        time.Advance(TimeSpan.FromSeconds(29));
        Assert.False(waiting.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(await waiting);

        slots.Release("a", "ep");
        Assert.Equal(0, slots.InUse);
    }

    [Fact]
    public async Task SendSlots_ASlotFreed_WakesTheWaiterWhoseTurnItIs()
    {
        var time = new FakeTimeProvider();
        var slots = new SendSlots(1, time);
        Assert.True(await slots.AcquireAsync("a", "ep", Timeout.InfiniteTimeSpan, CancellationToken.None));
        var waiting = slots.AcquireAsync("b", "ep", Timeout.InfiniteTimeSpan, CancellationToken.None).AsTask();
        Assert.False(waiting.IsCompleted);

        slots.Release("a", "ep");

        Assert.True(await waiting);
        Assert.Equal(1, slots.InUse);
    }
}
