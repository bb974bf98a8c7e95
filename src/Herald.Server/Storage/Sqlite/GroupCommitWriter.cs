using System.Data.Common;
using System.Diagnostics;
using Herald.Server.Diagnostics;
using Microsoft.Data.Sqlite;

namespace Herald.Server.Storage.Sqlite;

/// <summary>One write waiting for the writer: its work, and the task its caller awaits.</summary>
internal sealed class PendingWrite(Func<SqliteConnection, DbTransaction, Task<object?>> work, CancellationToken cancellationToken, bool bookkeeping = false)
{
    /// <summary>The dispatcher's bookkeeping (an outcome, a hand-back): at most <see cref="WriteLanes.MaxBookkeepingPerGroup"/> per group.</summary>
    public bool Bookkeeping { get; } = bookkeeping;

    private static long _arrivals;

    /// <summary>The order writes were queued in: a group runs its writes in it, whichever queue they came from.</summary>
    public long Arrival { get; } = Interlocked.Increment(ref _arrivals);

    public Func<SqliteConnection, DbTransaction, Task<object?>> Work { get; } = work;

    public CancellationToken CancellationToken { get; } = cancellationToken;

    /// <summary>The span of the caller that queued the write (default outside a trace): the group commit's span links to it.</summary>
    public ActivityContext Caller { get; } = Activity.Current?.Context ?? default;

    public TaskCompletionSource<object?> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public object? Result { get; set; }

    public Exception? Error { get; set; }

    /// <summary>Tells the caller how its write ended: its own error, the group's, or its result.</summary>
    public void Complete(Exception? groupFailure)
    {
        if ((groupFailure ?? Error) is { } error)
        {
            Completion.TrySetException(error);
        }
        else
        {
            Completion.TrySetResult(Result);
        }
    }
}

/// <summary>
/// The single writer of the SQLite store, with group commit. Writes queue up; the writer takes everything
/// waiting (up to <see cref="MaxBatch"/>, of which at most <see cref="WriteLanes.MaxBookkeepingPerGroup"/> bookkeeping
/// writes, see <see cref="WriteLanes"/>), runs each in its own savepoint of one IMMEDIATE transaction and commits
/// once. The group's writes are completed only when the WAL is fsynced (<see cref="WalSyncer"/>): by the writer itself
/// when nothing else waits, else by the syncer thread while the writer already runs the next group — so under load
/// one fsync covers many writes and the writer never sits idle for the disk; alone, a write commits at once.
/// </summary>
internal sealed partial class GroupCommitWriter : IDisposable
{
    /// <summary>The most writes in one transaction: bounds how long the first of them waits for its commit.</summary>
    public const int MaxBatch = 256;

    private readonly Func<Task<SqliteConnection>> _open;
    private readonly ILogger _logger;
    // Queues (WriteLanes) and an event rather than a Channel: a channel wakes its waiting reader through a pool thread, which put
    // one more thread hand-off (a wake-up, costly on a small VM) on the path of every write.
    private readonly WriteLanes _queue = new();
    private readonly ManualResetEventSlim _waiting = new(false);
    private volatile bool _closed;
    private readonly Thread _thread;
    private readonly WalSyncer _syncer;
    private SqliteConnection? _connection;
    private int _connections;

    private readonly Action? _committed;

    /// <summary>
    /// Starts the writer's thread. <paramref name="committed"/> runs on it after each commit, before any write of the group
    /// completes: what reads must see from then on (the store's read caches) is settled there.
    /// </summary>
    public GroupCommitWriter(string databasePath, Func<Task<SqliteConnection>> open, ILogger logger, Action? committed = null)
    {
        _open = open;
        _committed = committed;
        _logger = logger;
        _syncer = new WalSyncer(databasePath);
        // Its own thread, not a pool thread: SQLite's calls block, and the writer is the one thread every write waits
        // for, so it must not queue behind request handlers for a pool thread, nor hold one of them.
        _thread = new Thread(Run) { IsBackground = true, Name = "Herald SQLite writer" };
        _thread.Start();
    }

    internal WalSyncer Syncer => _syncer;

    public void Enqueue(PendingWrite write)
    {
        if (_closed)
        {
            write.Completion.TrySetException(new ObjectDisposedException(nameof(GroupCommitWriter)));
            return;
        }

        _queue.Enqueue(write);
        _waiting.Set();
    }

    private void Run()
    {
        var batch = new List<PendingWrite>(MaxBatch);
        while (WaitForWrites())
        {
            batch.Clear();
            _queue.Take(batch, MaxBatch, static write => write.Completion.TrySetCanceled(write.CancellationToken));

            if (batch.Count > 0)
            {
                Commit(batch);
            }
        }

        _connection?.Dispose();
        foreach (var late in _queue.DrainAll()) // Queued while closing: never run.
        {
            late.Completion.TrySetException(new ObjectDisposedException(nameof(GroupCommitWriter)));
        }
    }

    /// <summary>Waits until writes are queued; false once closed with nothing left to write.</summary>
    private bool WaitForWrites()
    {
        while (_queue.IsEmpty)
        {
            if (_closed)
            {
                return false;
            }

            _waiting.Wait();
            _waiting.Reset(); // Before the queue is read: a write queued from now on sets it again.
        }

        return true;
    }

    private void Commit(List<PendingWrite> batch)
    {
        var started = Stopwatch.GetTimestamp();
        using var activity = HeraldTracing.StartCommit("sqlite", batch.Count, batch.ConvertAll(w => w.Caller));
        try
        {
            // The store's writes are SQLite calls, which complete synchronously; waiting on their tasks blocks nothing.
            if (_connection is null)
            {
                _connection = _open().GetAwaiter().GetResult();
                _connections++;
            }

            using var transaction = _connection.BeginTransaction();
            foreach (var write in batch)
            {
                RunInSavepoint(_connection, transaction, write);
            }

            transaction.Commit();
            _committed?.Invoke();
            HeraldMetrics.GroupCommitted(batch.Count, started);
            // Completed once on disk: synced here when no other write waits, else by the syncer while the next group runs.
            PendingWrite[] group = [.. batch];
            if (!_queue.IsEmpty || !_syncer.TrySyncNow(group, _connections))
            {
                _syncer.Add(group, _connections);
            }

            return;
        }
        catch (Exception e)
        {
            // The transaction itself failed (commit, or a savepoint that could not be rolled back): nothing of the
            // group is stored, so every write of it fails. A fresh connection serves the next group.
            // On SQLITE_FULL or an I/O error SQLite may roll the whole transaction back by itself; what then fails is
            // the next ROLLBACK TO or RELEASE ("no such savepoint"), which says nothing. Every write is told of the
            // outage instead, so that each caller answers 507/503 (and knows nothing of its write was kept).
            var failure = StorageFailure.Classify(e) is not null
                ? e
                : batch.Select(w => w.Error).FirstOrDefault(error => StorageFailure.Classify(error) is not null) ?? e;
            LogGroupFailed(_logger, batch.Count, failure);
            HeraldTracing.Failed(activity, failure);
            foreach (var write in batch)
            {
                write.Error = failure;
            }

            _connection?.Dispose();
            _connection = null;
        }

        foreach (var write in batch)
        {
            write.Complete(groupFailure: null);
        }
    }

    private static void RunInSavepoint(SqliteConnection connection, SqliteTransaction transaction, PendingWrite write)
    {
        connection.Run("SAVEPOINT w", transaction: transaction);
        try
        {
            write.Result = write.Work(connection, transaction).GetAwaiter().GetResult();
        }
#pragma warning disable CA1031 // The write's own failure belongs to its caller; the group goes on without it.
        catch (Exception e)
#pragma warning restore CA1031
        {
            write.Error = e;
            connection.Run("ROLLBACK TO w", transaction: transaction); // Throws if SQLite already ended the transaction: the group fails.
        }

        connection.Run("RELEASE w", transaction: transaction);
    }

    public void Dispose()
    {
        _closed = true;
        _waiting.Set();
        _thread.Join(TimeSpan.FromSeconds(10));
        _syncer.Dispose();
    }

    [LoggerMessage(EventId = EventIds.GroupCommitFailed, Level = LogLevel.Error,
        Message = "A group commit of {Writes} writes failed: none of them is stored, each caller is told; the next group uses a fresh connection")]
    private static partial void LogGroupFailed(ILogger logger, int writes, Exception exception);
}
