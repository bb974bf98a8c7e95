using System.Collections.Concurrent;
using Herald.Server.Cluster;

namespace Herald.Server.Polling;

/// <summary>
/// Wakes pull readers the moment a message of their application commits, so a long-poll or a stream answers
/// at once instead of on its next check. In memory, per process: a reader that misses a signal still reads the
/// log on its next turn, so a signal can be late but never lose a message. Commits on other nodes arrive through
/// the <see cref="IClusterSignal"/>.
/// </summary>
internal sealed class MessageLogSignal
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _waiters = new();

    public MessageLogSignal(IClusterSignal cluster)
    {
        cluster.MessageCommitted += (applicationId, _) => Notify(applicationId);
        cluster.MayHaveMissedSignals += NotifyAll;
    }

    /// <summary>A task that completes at the next commit to the application's log. Take it before reading, then await it.</summary>
    public Task NextCommit(string applicationId) =>
        _waiters.GetOrAdd(applicationId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public void Notify(string applicationId)
    {
        if (_waiters.TryRemove(applicationId, out var waiter))
        {
            waiter.TrySetResult();
        }
    }

    /// <summary>Wakes every reader, to read again (a signal may have been missed).</summary>
    public void NotifyAll()
    {
        foreach (var applicationId in _waiters.Keys)
        {
            Notify(applicationId);
        }
    }
}
