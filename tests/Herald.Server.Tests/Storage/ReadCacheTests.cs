using Herald.Server.Storage;

namespace Herald.Server.Tests.Storage;

/// <summary>The in-memory cache of hot rows: hits skip the database, and nothing read before a change outlives it.</summary>
public sealed class ReadCacheTests
{
    private sealed record Row(string Value);

    [Fact]
    public async Task A_hit_is_answered_without_loading_again()
    {
        var cache = new ReadCache<Row>(keepMisses: false);
        var loads = 0;
        Task<Row?> Load() { loads++; return Task.FromResult<Row?>(new Row("a")); }

        Assert.Equal("a", (await cache.GetAsync("k", Load))!.Value);
        Assert.Equal("a", (await cache.GetAsync("k", Load))!.Value);
        Assert.Equal(1, loads);
    }

    [Fact]
    public async Task Invalidate_makes_the_next_read_load_again()
    {
        var cache = new ReadCache<Row>(keepMisses: false);
        await cache.GetAsync("k", () => Task.FromResult<Row?>(new Row("old")));
        cache.Invalidate();
        Assert.Equal("new", (await cache.GetAsync("k", () => Task.FromResult<Row?>(new Row("new"))))!.Value);
    }

    [Fact]
    public async Task A_value_loaded_while_a_change_commits_is_not_kept()
    {
        var cache = new ReadCache<Row>(keepMisses: false);
        var release = new TaskCompletionSource<Row?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var slowRead = cache.GetAsync("k", () => release.Task); // Read the row before the change...
        cache.Invalidate();                                     // ...the change commits...
        release.SetResult(new Row("before the change"));        // ...and the old row arrives afterwards.
        Assert.Equal("before the change", (await slowRead)!.Value);

        Assert.Equal("after", (await cache.GetAsync("k", () => Task.FromResult<Row?>(new Row("after"))))!.Value);
    }

    [Fact]
    public async Task Misses_are_kept_only_when_asked_and_only_until_a_change()
    {
        var forgetting = new ReadCache<Row>(keepMisses: false);
        await forgetting.GetAsync("k", () => Task.FromResult<Row?>(null));
        Assert.NotNull(await forgetting.GetAsync("k", () => Task.FromResult<Row?>(new Row("created"))));

        var keeping = new ReadCache<Row>(keepMisses: true);
        await keeping.GetAsync("k", () => Task.FromResult<Row?>(null));
        Assert.Null(await keeping.GetAsync("k", () => Task.FromResult<Row?>(new Row("created"))));
        keeping.Invalidate();
        Assert.NotNull(await keeping.GetAsync("k", () => Task.FromResult<Row?>(new Row("created"))));
    }
}
