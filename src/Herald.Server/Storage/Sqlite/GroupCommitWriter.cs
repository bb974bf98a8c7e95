using System.Data.Common;
using System.Diagnostics;
using System.Threading.Channels;
using Herald.Server.Diagnostics;
using Microsoft.Data.Sqlite;

namespace Herald.Server.Storage.Sqlite;

/// <summary>One write waiting for the writer: its work, and the task its caller awaits.</summary>
internal sealed class PendingWrite(Func<SqliteConnection, DbTransaction, Task<object?>> work, CancellationToken cancellationToken)
{
    public Func<SqliteConnection, DbTransaction, Task<object?>> Work { get; } = work;

    public CancellationToken CancellationToken { get; } = cancellationToken;

    public TaskCompletionSource<object?> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public object? Result { get; set; }

    public Exception? Error { get; set; }
}

/// <summary>
/// The single writer of the SQLite store, with group commit. Writes queue up; the writer takes everything
/// waiting (up to <see cref="MaxBatch"/>), runs each in its own savepoint of one IMMEDIATE transaction, commits
/// once — one WAL fsync for the whole group — and only then completes each write's task. Under load, the
/// writes that arrive while a commit is on its way to disk form the next group, so the cost of an fsync is
/// shared instead of paid per write; alone, a write commits at once (no waiting for company).
/// </summary>
internal sealed class GroupCommitWriter : IDisposable
{
    /// <summary>The most writes in one transaction: bounds how long the first of them waits for its commit.</summary>
    public const int MaxBatch = 256;

    private readonly Func<Task<SqliteConnection>> _open;
    private readonly Channel<PendingWrite> _queue = Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Thread _thread;
    private SqliteConnection? _connection;

    public GroupCommitWriter(Func<Task<SqliteConnection>> open)
    {
        _open = open;
        // Its own thread, not a pool thread: SQLite's calls block, and the writer is the one thread every write waits
        // for, so it must not queue behind request handlers for a pool thread, nor hold one of them.
        _thread = new Thread(Run) { IsBackground = true, Name = "Herald SQLite writer" };
        _thread.Start();
    }

    public void Enqueue(PendingWrite write)
    {
        if (!_queue.Writer.TryWrite(write))
        {
            write.Completion.TrySetException(new ObjectDisposedException(nameof(GroupCommitWriter)));
        }
    }

    private void Run()
    {
        var batch = new List<PendingWrite>(MaxBatch);
        while (WaitToRead())
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var write))
            {
                if (write.CancellationToken.IsCancellationRequested)
                {
                    write.Completion.TrySetCanceled(write.CancellationToken);
                }
                else
                {
                    batch.Add(write);
                }
            }

            if (batch.Count > 0)
            {
                Commit(batch);
            }
        }

        _connection?.Dispose();
    }

    private bool WaitToRead()
    {
        var wait = _queue.Reader.WaitToReadAsync();
        return wait.IsCompletedSuccessfully ? wait.Result : wait.AsTask().GetAwaiter().GetResult();
    }

    private void Commit(List<PendingWrite> batch)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            // The store's writes are SQLite calls, which complete synchronously; waiting on their tasks blocks nothing.
            _connection ??= _open().GetAwaiter().GetResult();
            using var transaction = _connection.BeginTransaction();
            foreach (var write in batch)
            {
                RunInSavepoint(_connection, transaction, write);
            }

            transaction.Commit();
            HeraldMetrics.GroupCommitted(batch.Count, started);
        }
        catch (Exception e)
        {
            // The transaction itself failed (commit, or a savepoint that could not be rolled back): nothing of the
            // group is stored, so every write of it fails. A fresh connection serves the next group.
            foreach (var write in batch)
            {
                write.Error = e;
            }

            _connection?.Dispose();
            _connection = null;
        }

        foreach (var write in batch)
        {
            if (write.Error is { } error)
            {
                write.Completion.TrySetException(error);
            }
            else
            {
                write.Completion.TrySetResult(write.Result);
            }
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
        _queue.Writer.TryComplete();
        _thread.Join(TimeSpan.FromSeconds(10));
    }
}
