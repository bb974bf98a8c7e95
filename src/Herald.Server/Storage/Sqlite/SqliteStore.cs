using System.Data.Common;
using Dapper;
using Herald.Server.Secrets;
using Herald.Server.Storage.Relational;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Herald.Server.Storage.Sqlite;

/// <summary>
/// The embedded engine: one SQLite file in WAL mode. Every write goes through one in-process writer
/// (SQLite has a single writer anyway; queueing beats spinning on SQLITE_BUSY) that group-commits what is
/// waiting in one IMMEDIATE transaction, so the order of commits is the order of the per-app sequence.
/// </summary>
internal sealed partial class SqliteStore : RelationalStore<SqliteConnection, long, long, string>, IHeraldStore, IDisposable
{
    private readonly string _connectionString;
    private readonly GroupCommitWriter _writer;
    private readonly SqliteReaderPool _readers;
    private readonly SequenceHorizon _horizon = new();
    private readonly ReadCache<Auth.ApiToken> _tokens = new(keepMisses: false);
    private readonly ReadCache<Applications.Application> _applications = new(keepMisses: false);
    private readonly ReadCache<EventTypes.EventType> _eventTypes = new(keepMisses: true); // Publishing with unregistered types is allowed.
    private readonly ReadCache<Delivery.SendingEndpoint> _sendingEndpoints = new(keepMisses: false);
    private readonly SQLitePCL.delegate_update _rowChanged;
    private int _endpointRowsChanged; // Set by the writer connection's update hook; read and reset after each commit.

    private readonly Ids _ids;
    private readonly SecretSealer _sealer;
    private readonly CountLimits _limits;
    private readonly DataDirectoryLock _lock;

    public SqliteStore(
        IOptions<StorageOptions> options, Ids ids, SecretSealer sealer, ILogger<SqliteStore> logger, IOptions<CountLimits>? limits = null,
        IHostApplicationLifetime? lifetime = null)
    {
        _ids = ids;
        _sealer = sealer;
        _limits = limits?.Value ?? new CountLimits();
        // The folder 0700 and the database 0600 before SQLite first opens it: SQLite gives the -wal and -shm files it
        // makes the mode of the database file, so none of them is ever readable by other users.
        var directory = DataDirectory.EnsurePrivate(options.Value.DataDirectory, logger);
        // One process per directory. Let go when the process begins to stop, so a restart in the same process (tests)
        // or a new process started during the drain is not refused.
        _lock = DataDirectoryLock.Acquire(directory);
        lifetime?.ApplicationStopping.Register(_lock.Dispose);
        var database = Path.Combine(directory, "herald.db");
        DataDirectory.CreatePrivateFile(database);
        foreach (var file in (string[])[database, database + "-wal", database + "-shm", database + "-journal"])
        {
            DataDirectory.RestrictFile(file, logger);
        }

        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = database,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            ForeignKeys = true,
            DefaultTimeout = 30,
        }.ToString();
        _readers = new SqliteReaderPool(_connectionString);
        _rowChanged = RowChanged;
        _writer = new GroupCommitWriter(DatabasePath, async () =>
        {
            var connection = await OpenAsync(CancellationToken.None);
            // Every row the writer changes is reported to RowChanged, whichever statement changes it (foreign-key
            // cascades included): the endpoints cache of the send path is invalidated exactly when they change.
            SQLitePCL.raw.sqlite3_update_hook(connection.Handle, _rowChanged, null);
            // NORMAL: a commit writes its WAL frames without waiting for the disk; the writer's WalSyncer fsyncs the WAL
            // before any write of the group is reported done, so "accepted means durable" holds, and the next group is
            // written meanwhile.
            await connection.ExecuteAsync("PRAGMA synchronous = NORMAL;");
            return connection;
        }, logger, Committed);
    }

    /// <summary>The writer connection's update hook: notes a change of an endpoint or of its secrets (SQLite's thread).</summary>
    private void RowChanged(object userData, int type, SQLitePCL.utf8z database, SQLitePCL.utf8z table, long rowId)
    {
        if (Volatile.Read(ref _endpointRowsChanged) == 0 && table.utf8_to_string() is "endpoints" or "endpoint_secrets")
        {
            Volatile.Write(ref _endpointRowsChanged, 1);
        }
    }

    /// <summary>
    /// After each group commit, before its writes complete: a group that changed endpoints or secrets invalidates the
    /// send path's cache, so the caller of the change and every send after it read the committed rows. (A change rolled
    /// back to its savepoint invalidates too, harmlessly.)
    /// </summary>
    private void Committed()
    {
        if (Interlocked.Exchange(ref _endpointRowsChanged, 0) == 1)
        {
            _sendingEndpoints.Invalidate();
        }
    }

    internal WalSyncer Syncer => _writer.Syncer;

    public string DatabasePath => new SqliteConnectionStringBuilder(_connectionString).DataSource;

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    protected override async Task<T> ReadAsync<T>(Func<SqliteConnection, Task<T>> work, CancellationToken cancellationToken)
    {
        var connection = await _readers.RentAsync(cancellationToken);
        var healthy = false;
        try
        {
            var result = await work(connection);
            healthy = true;
            return result;
        }
        finally
        {
            _readers.Return(connection, healthy);
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> as one write. Writes are group-committed: the writer runs every write waiting
    /// at that moment in one transaction, each in its own savepoint (a failing write rolls back only itself), and
    /// commits them with one fsync. A write's task completes only after that commit, so "accepted means durable"
    /// holds, and the order writes run in is the order they commit in.
    /// </summary>
    /// <param name="work">The write, run on the writer's connection inside its savepoint.</param>
    /// <param name="cancellationToken">Cancels the write while it still waits for its group.</param>
    /// <param name="bookkeeping">The dispatcher's record of an attempt or hand-back of a delivery: taken at most
    /// <see cref="WriteLanes.MaxBookkeepingPerGroup"/> per group, so a burst of them does not hold up other writes.</param>
    private async Task<T> WriteAsync<T>(Func<SqliteConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken, bool bookkeeping = false)
    {
        var write = new PendingWrite(async (c, t) => await work(c, t), cancellationToken, bookkeeping);
        _writer.Enqueue(write);
        try
        {
            return (T)(await write.Completion.Task)!;
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 19 && e.Message.Contains("UNIQUE", StringComparison.Ordinal))
        {
            throw new StorageConflictException(ConflictField(e.Message), e);
        }
    }

    private Task WriteAsync(Func<SqliteConnection, DbTransaction, Task> work, CancellationToken cancellationToken, bool bookkeeping = false) =>
        WriteAsync(async (c, t) => { await work(c, t); return true; }, cancellationToken, bookkeeping);

    // "SQLite Error 19: 'UNIQUE constraint failed: messages.app_id, messages.event_id'." → "event_id" (SQLite's closing
    // quote and full stop are not part of the name).
    internal static string ConflictField(string message)
    {
        var columns = message[(message.LastIndexOf(':') + 1)..].Split(',', StringSplitOptions.TrimEntries);
        var last = columns[^1].TrimEnd('\'', '.');
        return last[(last.IndexOf('.') + 1)..];
    }

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        try
        {
            await ApplyMigrationsAsync(cancellationToken);
        }
        catch (Exception e) when (StorageFailure.Classify(e) is not null || e is IOException or UnauthorizedAccessException)
        {
            throw SqliteStartupCheck.MigrationFailed(DatabasePath, e);
        }
    }

    private async Task ApplyMigrationsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await connection.ExecuteAsync("PRAGMA journal_mode = WAL;");
        await RunMigrationsAsync(
            connection,
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL);",
            cancellationToken);
    }

    protected override string MigrationsPrefix => "Herald.Server.Storage.Sqlite.Migrations.";

    // SQLite's procedure for changing a table's constraints (https://sqlite.org/lang_altertable.html#otheralter): with
    // foreign keys on, dropping the original would delete every delivery and attempt of its rows by cascade.
    protected override Task BeginTableRebuildAsync(SqliteConnection connection) => connection.ExecuteAsync("PRAGMA foreign_keys = OFF;");

    protected override async Task CheckTableRebuildAsync(SqliteConnection connection, DbTransaction transaction)
    {
        var broken = (await connection.QueryAsync<string>("SELECT \"table\" FROM pragma_foreign_key_check", transaction: transaction)).ToList();
        if (broken.Count > 0)
        {
            throw new InvalidOperationException($"A migration that rebuilds tables left rows whose references are broken, in: {string.Join(", ", broken.Distinct())}.");
        }
    }

    protected override Task EndTableRebuildAsync(SqliteConnection connection) => connection.ExecuteAsync("PRAGMA foreign_keys = ON;");

    private static long Ms(DateTimeOffset value) => value.ToUnixTimeMilliseconds();

    private static long? Ms(DateTimeOffset? value) => value?.ToUnixTimeMilliseconds();

    private static DateTimeOffset Time(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    protected override Task<T> TransactAsync<T>(Func<SqliteConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken) =>
        WriteAsync(work, cancellationToken);

    protected override DateTimeOffset ToTime(long stored) => Time(stored);

    protected override long ToArg(DateTimeOffset value) => Ms(value);

    protected override IReadOnlyList<string>? ToList(string? stored) => StorageJson.List(stored);

    protected override IEnumerable<string>? ListArg(IEnumerable<string>? list) => list;

    protected override string? StoredList(IReadOnlyList<string>? list) => StorageJson.List(list);

    protected override string ListValue(string parameter) => parameter;

    protected override string Least(string left, string right) => $"MIN({left}, {right})";

    protected override string True => "1 = 1";

    // Dapper expands a list parameter into (@p1, @p2, …) for SQLite, which has no arrays.
    protected override string In(string column, string parameter) => $"{column} IN {parameter}";

    protected override string Holds(string listColumn, string parameter) =>
        $"EXISTS (SELECT 1 FROM json_each({listColumn}) WHERE json_each.value = {parameter})";

    protected override string AnyRow(string condition) => $"SUM({condition}) > 0";

    // SQLite types a NULL column as a BLOB whatever its name says; shared rows are mapped by property, which accepts it.
    protected override string NullText => "NULL";

    protected override string NullBytes => "NULL";

    public void Dispose()
    {
        _writer.Dispose();
        _readers.Dispose();
        _lock.Dispose();
    }
}
