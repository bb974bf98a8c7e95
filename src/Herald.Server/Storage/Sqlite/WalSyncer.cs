namespace Herald.Server.Storage.Sqlite;

/// <summary>
/// Makes committed groups durable, on a thread of its own, while the writer goes on with the next group. The writer's
/// connection commits with <c>synchronous = NORMAL</c> — in WAL mode that writes the group's frames without waiting for
/// the disk — and hands the group here; this thread fsyncs the WAL file and only then completes the group's writes, so
/// a caller still hears of its write only once it is on disk ("accepted means durable"). One fsync covers every group
/// committed before it started, and the writer no longer sits idle for the disk between groups.
/// SQLite keeps its own guarantees in NORMAL mode: it syncs the WAL before each checkpoint, the database after it, and
/// the WAL header when the WAL is reused. Committed-but-not-yet-synced rows are visible to readers for about one
/// fsync; <see cref="SequenceHorizon"/> keeps them out of the pull log, the one read that hands out positions.
/// </summary>
internal sealed class WalSyncer : IDisposable
{
    private readonly string _walPath;
    private readonly Queue<(PendingWrite[] Writes, int Connection)> _committed = new();
    private readonly object _lock = new();
    private readonly Lock _syncing = new(); // One fsync at a time: by this thread, or by an idle writer (TrySyncNow).
    private readonly Thread _thread;
    private bool _closed;
    private FileStream? _wal;
    private int _walConnection = -1;

    public WalSyncer(string databasePath)
    {
        _walPath = databasePath + "-wal";
        _thread = new Thread(Run) { IsBackground = true, Name = "Herald WAL sync" };
        _thread.Start();
    }

    /// <summary>Tests only: runs on the sync thread before each fsync (to hold groups committed but not yet synced).</summary>
    internal Action? BeforeSync { get; set; }

    /// <summary>A group committed on the writer's <paramref name="connection"/>-th connection, to complete once on disk.</summary>
    public void Add(PendingWrite[] writes, int connection)
    {
        lock (_lock)
        {
            _committed.Enqueue((writes, connection));
            Monitor.Pulse(_lock);
        }
    }

    /// <summary>
    /// When nothing is waiting to be synced, syncs on the caller's thread (the writer's, with nothing else to write) and
    /// completes <paramref name="writes"/>: on a quiet server that saves waking this thread, a hand-off that costs about
    /// as much as the fsync itself on a small VM. False, without syncing, when groups are queued or a sync is running.
    /// </summary>
    public bool TrySyncNow(PendingWrite[] writes, int connection)
    {
        lock (_lock)
        {
            if (_committed.Count > 0)
            {
                return false;
            }
        }

        if (!_syncing.TryEnter())
        {
            return false;
        }

        Exception? failure;
        try
        {
            failure = SyncOrFailure(connection);
        }
        finally
        {
            _syncing.Exit();
        }

        foreach (var write in writes)
        {
            write.Complete(failure);
        }

        return true;
    }

    private void Run()
    {
        var groups = new List<(PendingWrite[] Writes, int Connection)>();
        while (true)
        {
            groups.Clear();
            lock (_lock)
            {
                while (_committed.Count == 0 && !_closed)
                {
                    Monitor.Wait(_lock);
                }

                if (_committed.Count == 0)
                {
                    break;
                }

                while (_committed.TryDequeue(out var group))
                {
                    groups.Add(group);
                }
            }

            Exception? failure;
            lock (_syncing)
            {
                failure = SyncOrFailure(groups[^1].Connection);
            }

            foreach (var (writes, _) in groups)
            {
                foreach (var write in writes)
                {
                    write.Complete(failure);
                }
            }
        }

        _wal?.Dispose();
    }

    private Exception? SyncOrFailure(int connection)
    {
        try
        {
            BeforeSync?.Invoke();
            Sync(connection);
            return null;
        }
#pragma warning disable CA1031 // A failed fsync fails the writes it was to make durable; the next group tries again.
        catch (Exception e)
#pragma warning restore CA1031
        {
            _wal?.Dispose();
            _wal = null;
            return e;
        }
    }

    private void Sync(int connection)
    {
        // The WAL file stays the same file while the writer's connection is open (SQLite deletes it only when the
        // last connection closes, after a checkpoint that made everything durable), so it is opened again only when
        // the writer had to open a new connection.
        if (_wal is null || _walConnection != connection)
        {
            _wal?.Dispose();
            _wal = null;
            if (!File.Exists(_walPath))
            {
                return; // Checkpointed into the database file and synced by SQLite when its last connection closed.
            }

            _wal = new FileStream(_walPath, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
            _walConnection = connection;
        }

        _wal.Flush(flushToDisk: true);
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _closed = true;
            Monitor.Pulse(_lock);
        }

        _thread.Join(TimeSpan.FromSeconds(10));
    }
}
