using System.Collections.Concurrent;

namespace Herald.Server.Storage.Sqlite;

/// <summary>
/// The SQLite writer's two queues, and how a group is taken from them. Bookkeeping writes (an attempt's outcome, a
/// delivery handed back) come in bursts: a wave of sends timing out together records hundreds of outcomes at once. Taken
/// in arrival order, a group of them (up to <see cref="GroupCommitWriter.MaxBatch"/>) would hold every publish queued
/// behind it for the whole group, the noisy-neighbour tail of docs/BENCHMARKS.md. So a group takes at most
/// <see cref="MaxBookkeepingPerGroup"/> bookkeeping writes, plus every other write waiting (up to the group's size):
/// a publish waits behind at most that many bookkeeping writes, and bookkeeping still gets those places in every
/// group, however busy the API is, so no outcome waits for a lull. A group runs its writes in the order they were
/// queued; only writes left for a later group are overtaken.
/// </summary>
internal sealed class WriteLanes
{
    /// <summary>The most bookkeeping writes in one group.</summary>
    public const int MaxBookkeepingPerGroup = 32;

    private readonly ConcurrentQueue<PendingWrite> _writes = new();
    private readonly ConcurrentQueue<PendingWrite> _bookkeeping = new();

    public bool IsEmpty => _writes.IsEmpty && _bookkeeping.IsEmpty;

    public void Enqueue(PendingWrite write) => (write.Bookkeeping ? _bookkeeping : _writes).Enqueue(write);

    /// <summary>
    /// Fills <paramref name="group"/> (up to <paramref name="maxGroup"/>): bookkeeping writes first (at most
    /// <see cref="MaxBookkeepingPerGroup"/>), then other writes; the group is then put in the order the writes were
    /// queued in, as without the lanes. Writes whose token is canceled are passed to <paramref name="canceled"/>
    /// instead, and take no place.
    /// </summary>
    public void Take(List<PendingWrite> group, int maxGroup, Action<PendingWrite> canceled)
    {
        var bookkeeping = 0;
        while (bookkeeping < MaxBookkeepingPerGroup && group.Count < maxGroup && _bookkeeping.TryDequeue(out var write))
        {
            if (Keep(write, canceled))
            {
                group.Add(write);
                bookkeeping++;
            }
        }

        while (group.Count < maxGroup && _writes.TryDequeue(out var write))
        {
            if (Keep(write, canceled))
            {
                group.Add(write);
            }
        }

        group.Sort(static (a, b) => a.Arrival.CompareTo(b.Arrival));
    }

    /// <summary>Every write still queued, for the writer's shutdown.</summary>
    public IEnumerable<PendingWrite> DrainAll()
    {
        while (_writes.TryDequeue(out var write))
        {
            yield return write;
        }

        while (_bookkeeping.TryDequeue(out var write))
        {
            yield return write;
        }
    }

    private static bool Keep(PendingWrite write, Action<PendingWrite> canceled)
    {
        if (!write.CancellationToken.IsCancellationRequested)
        {
            return true;
        }

        canceled(write);
        return false;
    }
}
