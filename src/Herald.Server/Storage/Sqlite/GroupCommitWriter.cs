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
    private readonly Task _loop;
    private SqliteConnection? _connection;

    public GroupCommitWriter(Func<Task<SqliteConnection>> open)
    {
        _open = open;
        _loop = Task.Run(RunAsync);
    }

    public void Enqueue(PendingWrite write)
    {
        if (!_queue.Writer.TryWrite(write))
        {
            write.Completion.TrySetException(new ObjectDisposedException(nameof(GroupCommitWriter)));
        }
    }

    private async Task RunAsync()
    {
        var batch = new List<PendingWrite>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync())
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
                await CommitAsync(batch);
            }
        }

        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
    }

    private async Task CommitAsync(List<PendingWrite> batch)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            _connection ??= await _open();
            await using var transaction = (SqliteTransaction)await _connection.BeginTransactionAsync();
            foreach (var write in batch)
            {
                await RunInSavepointAsync(_connection, transaction, write);
            }

            await transaction.CommitAsync();
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

            if (_connection is not null)
            {
                await _connection.DisposeAsync();
                _connection = null;
            }
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

    private static async Task RunInSavepointAsync(SqliteConnection connection, SqliteTransaction transaction, PendingWrite write)
    {
        await transaction.SaveAsync("w");
        try
        {
            write.Result = await write.Work(connection, transaction);
        }
#pragma warning disable CA1031 // The write's own failure belongs to its caller; the group goes on without it.
        catch (Exception e)
#pragma warning restore CA1031
        {
            write.Error = e;
            await transaction.RollbackAsync("w"); // Throws if SQLite already ended the transaction: the group fails.
        }

        await transaction.ReleaseAsync("w");
    }

    public void Dispose()
    {
        _queue.Writer.TryComplete();
        _loop.Wait(TimeSpan.FromSeconds(10));
    }
}
