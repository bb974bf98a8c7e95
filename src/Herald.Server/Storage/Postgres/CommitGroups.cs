using System.Collections.Concurrent;

namespace Herald.Server.Storage.Postgres;

/// <summary>
/// Writes that wait on this node go to PostgreSQL together: one group in flight at a time, the next one forming while
/// it commits. A write that finds nothing in flight starts a group of its own at once, so a lone write waits for
/// nothing; under load the groups grow by themselves (up to <paramref name="maxGroup"/>), and one statement and one
/// commit serve the whole group instead of one round trip, one backend wake-up and one WAL flush per write.
/// <paramref name="commit"/> settles every item of the group it is given (it must not throw).
/// </summary>
internal sealed class CommitGroups<TItem>(int maxGroup, Func<List<TItem>, Task> commit)
{
    private readonly ConcurrentQueue<TItem> _waiting = new();

    // 1 while a group runs.
    private int _running;

    public void Add(TItem item)
    {
        _waiting.Enqueue(item);
        if (Interlocked.CompareExchange(ref _running, 1, 0) == 0)
        {
            _ = RunAsync();
        }
    }

    private async Task RunAsync()
    {
        var group = new List<TItem>(maxGroup);
        while (true)
        {
            group.Clear();
            while (group.Count < maxGroup && _waiting.TryDequeue(out var item))
            {
                group.Add(item);
            }

            if (group.Count == 0)
            {
                Volatile.Write(ref _running, 0);
                // An item queued after the last TryDequeue but before the flag dropped saw the flag set and started
                // nothing: whoever finds the queue non-empty now takes over.
                if (_waiting.IsEmpty || Interlocked.CompareExchange(ref _running, 1, 0) != 0)
                {
                    return;
                }

                continue;
            }

            await commit(group);
        }
    }
}
