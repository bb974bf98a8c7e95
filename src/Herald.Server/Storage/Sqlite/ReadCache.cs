using System.Collections.Concurrent;

namespace Herald.Server.Storage.Sqlite;

internal interface IReadCache
{
    void Invalidate();
}

/// <summary>
/// Rows that nearly every request reads again — the caller's token, the application, the event type — kept in memory.
/// Exact rather than time-based: with SQLite this process is the database's only writer, so every change passes
/// through the store, which calls <see cref="Invalidate"/> once the change is committed. A value loaded while a change
/// was committing is not kept (the generation moved), so nothing read before a change outlives it. Between a commit
/// and its invalidation a reader may still get the old row — as if it had read just before the commit, while the
/// changing request has not been answered yet. Not used with PostgreSQL, where other nodes change the rows too.
/// </summary>
internal sealed class ReadCache<TValue>(bool keepMisses) : IReadCache where TValue : class
{
    /// <summary>Past this many entries the cache starts over: a bound on memory whatever keys callers send.</summary>
    private const int MaxEntries = 10_000;

    private readonly ConcurrentDictionary<string, TValue?> _entries = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private long _generation;

    public async Task<TValue?> GetAsync(string key, Func<Task<TValue?>> load)
    {
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
                if (_generation == generation)
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
}
