using System.Collections.Concurrent;

namespace Herald.Server.Storage;

internal interface IReadCache
{
    void Invalidate();
}

/// <summary>
/// Rows that nearly every request reads again — the caller's token, the application, the event type — kept in memory.
/// Exact rather than time-based: every change invalidates the cache once it is committed. With SQLite this process is
/// the database's only writer, so every change passes through the store, which calls <see cref="Invalidate"/>. With
/// PostgreSQL other nodes change the rows too: a trigger notifies every node of a change in the change's own
/// transaction, and the cache is live only while this node listens for those notifications (<see cref="SetLive"/>,
/// PostgresReadCaches). A value loaded while a change was committing is not kept (the generation moved), so nothing
/// read before a change outlives it. Between a commit and its invalidation a reader may still get the old row — as if
/// it had read just before the commit.
/// </summary>
internal sealed class ReadCache<TValue>(bool keepMisses, bool live = true) : IReadCache where TValue : class
{
    /// <summary>Past this many entries the cache starts over: a bound on memory whatever keys callers send.</summary>
    private const int MaxEntries = 10_000;

    private readonly ConcurrentDictionary<string, TValue?> _entries = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private long _generation;
    private volatile bool _live = live;

    public async Task<TValue?> GetAsync(string key, Func<Task<TValue?>> load)
    {
        if (!_live)
        {
            return await load();
        }

        if (_entries.TryGetValue(key, out var cached))
        {
            return cached;
        }

        var generation = Volatile.Read(ref _generation);
        var value = await load();
        if (value is not null || keepMisses)
        {
            lock (_lock)
            {
                if (_generation == generation && _live)
                {
                    if (_entries.Count >= MaxEntries)
                    {
                        _entries.Clear();
                    }

                    _entries[key] = value;
                }
            }
        }

        return value;
    }

    public void Invalidate()
    {
        lock (_lock)
        {
            _generation++;
            _entries.Clear();
        }
    }

    /// <summary>
    /// Starts or stops keeping rows. Stopped, every read loads (and nothing loaded meanwhile is kept); started again, the
    /// cache starts empty, so nothing changed while it was stopped is served.
    /// </summary>
    public void SetLive(bool live)
    {
        lock (_lock)
        {
            _live = live;
            _generation++;
            _entries.Clear();
        }
    }
}

internal static class ReadCaches
{
    /// <summary>A write that changes rows kept in <paramref name="caches"/>: they are invalidated once it is committed.</summary>
    public static async Task<T> Invalidating<T>(Task<T> write, params IReadCache[] caches)
    {
        try
        {
            return await write;
        }
        finally
        {
            foreach (var cache in caches)
            {
                cache.Invalidate();
            }
        }
    }

    public static Task Invalidating(Task write, params IReadCache[] caches) => Invalidating(Completed(write), caches);

    private static async Task<bool> Completed(Task write)
    {
        await write;
        return true;
    }
}
