using Herald.Receiver.Replay;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Herald.Receiver.Tests.Replay;

public sealed class ReplayStoreTests
{
    private static readonly TimeSpan Horizon = TimeSpan.FromHours(1);

    public static TheoryData<string> Stores() => ["memory", "distributed"];

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task SecondClaimOfTheSameId_IsADuplicate(string kind)
    {
        var (store, _) = Create(kind);

        Assert.True(await store.TryClaimAsync("msg_1", Horizon, default));
        Assert.False(await store.TryClaimAsync("msg_1", Horizon, default));
        Assert.True(await store.TryClaimAsync("msg_2", Horizon, default));
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task AfterTheHorizon_TheIdIsForgotten(string kind)
    {
        var (store, time) = Create(kind);
        await store.TryClaimAsync("msg_1", Horizon, default);

        time.Advance(Horizon - TimeSpan.FromSeconds(1));
        Assert.False(await store.TryClaimAsync("msg_1", Horizon, default));
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.True(await store.TryClaimAsync("msg_1", Horizon, default));
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task ReleasedId_CanBeClaimedAgain(string kind)
    {
        var (store, _) = Create(kind);
        await store.TryClaimAsync("msg_1", Horizon, default);

        await store.ReleaseAsync("msg_1", default);

        Assert.True(await store.TryClaimAsync("msg_1", Horizon, default));
    }

    [Fact]
    public void DefaultHorizon_OutlastsHeraldsRetrySchedule() =>
        Assert.True(WebhookReplayDefaults.Horizon > TimeSpan.FromHours(28));

    private static (IWebhookReplayStore Store, FakeTimeProvider Time) Create(string kind)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 15, 9, 0, 0, TimeSpan.Zero));
        IWebhookReplayStore store = kind == "memory"
            ? new InMemoryWebhookReplayStore(time)
            : new DistributedCacheWebhookReplayStore(new MemoryDistributedCache(Options.Create(new MemoryDistributedCacheOptions { Clock = new FakeClock(time) })));
        return (store, time);
    }

    /// <summary>MemoryDistributedCache reads time through the older ISystemClock, not TimeProvider.</summary>
    private sealed class FakeClock(TimeProvider time) : Microsoft.Extensions.Internal.ISystemClock
    {
        public DateTimeOffset UtcNow => time.GetUtcNow();
    }
}
