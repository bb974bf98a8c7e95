using System.Data;
using System.Data.Common;
using Dapper;
using Herald.Server.Secrets;
using Herald.Server.Storage.Relational;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Herald.Server.Storage.Postgres;

/// <summary>
/// The shared engine: one PostgreSQL database serves every Herald node. Each method is one transaction on a
/// pooled connection of one <see cref="NpgsqlDataSource"/>; concurrency between nodes is the database's job
/// (row locks, <c>FOR UPDATE SKIP LOCKED</c>, <c>ON CONFLICT</c>), never an in-process lock.
/// </summary>
internal sealed partial class PostgresStore : RelationalStore<NpgsqlConnection, DateTime, DateTimeOffset, string[]>, IHeraldStore, IAsyncDisposable, IDisposable
{
    // pg_advisory_lock key for migrations: nodes starting together apply them one at a time ("herald" in ASCII).
    private const long MigrationLockKey = 0x68_65_72_61_6c_64;

    private const int MaxAttempts = 3;

    /// <summary>Prepared statements kept per connection when the connection string does not say (Npgsql's default: none).</summary>
    internal const int DefaultMaxAutoPrepare = 64;

    /// <summary>
    /// The most pooled connections a node opens unless the connection string says (Npgsql's own default is 100). Four
    /// nodes of 20, each with its listener, fit in PostgreSQL's default max_connections (100, 3 reserved); 100 alone did
    /// not, and under load the server refused connections and publishes answered 503. Publishes and attempts commit in
    /// groups, so a node needs few: 10, 20 and 50 gave the same throughput within noise (docs/BENCHMARKS.md).
    /// </summary>
    internal const int DefaultMaxPoolSize = 20;

    private readonly NpgsqlDataSource _dataSource;
    private readonly bool _ownsDataSource;
    private readonly PostgresNotifier _notifier;
    private readonly Ids _ids;
    private readonly SecretSealer _sealer;
    private readonly ILogger _logger;

    private readonly CountLimits _limits;
    private readonly PostgresReadCaches _caches;

    // dataSource: the host's (registered by StorageExtensions, logging through the host); a store made without one
    // (tests' extra nodes) makes and owns its own. notifier: the hosted one; without it, this store's publishes wake no
    // other node (they find the messages at their next scan). caches: the host's, made live by its cluster listener;
    // without them nothing is cached.
    public PostgresStore(
        IOptions<StorageOptions> options, Ids ids, SecretSealer sealer, IOptions<CountLimits>? limits = null,
        NpgsqlDataSource? dataSource = null, PostgresNotifier? notifier = null, ILogger<PostgresStore>? logger = null, PostgresReadCaches? caches = null)
    {
        _ids = ids;
        _sealer = sealer;
        _limits = limits?.Value ?? new CountLimits();
        _logger = logger ?? (ILogger)Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        _ownsDataSource = dataSource is null;
        _dataSource = dataSource ?? CreateDataSource(options.Value.ConnectionString!);
        _notifier = notifier ?? new PostgresNotifier(_dataSource, Microsoft.Extensions.Logging.Abstractions.NullLogger<PostgresNotifier>.Instance);
        _caches = caches ?? new PostgresReadCaches(); // Never live without the host's listener: every read goes to the database.
        _publishGroups = new(MaxPublishGroup, CommitPublishGroupAsync);
        _attemptGroups = new(MaxAttemptGroup, CommitAttemptGroupAsync);
    }

    /// <summary>
    /// The connection string as Herald uses it, with three defaults a connection string that names them overrides:
    /// <list type="bullet">
    /// <item>At most <see cref="DefaultMaxPoolSize"/> pooled connections per node.</item>
    /// <item>Npgsql prepares the statements a connection runs often (<see cref="DefaultMaxAutoPrepare"/>; Npgsql's own
    /// default is none), so the hot ones are parsed and planned once per connection. Unprepared, PostgreSQL planned every
    /// execution: the token read spent 0.24 ms planning for 0.02 ms executing (pg_stat_statements, docs/BENCHMARKS.md).</item>
    /// <item>No reset when a connection goes back to the pool (<c>No Reset On Close</c>). Herald's pooled connections never
    /// change session state (no SET, no LISTEN, no temporary tables; the migrations' advisory lock is let go explicitly),
    /// and the reset cost PostgreSQL seven statements at every return, more than the statement the connection was rented
    /// for.</item>
    /// </list>
    /// (NpgsqlConnectionStringBuilder.ContainsKey is true for every keyword it knows, set or not: the keys are looked
    /// up in the string as written.)
    /// </summary>
    internal static string WithDefaults(string connectionString)
    {
        var written = new DbConnectionStringBuilder { ConnectionString = connectionString };
        var settings = new NpgsqlConnectionStringBuilder(connectionString);
        if (!written.ContainsKey("Maximum Pool Size") && !written.ContainsKey("MaxPoolSize"))
        {
            settings.MaxPoolSize = DefaultMaxPoolSize;
        }

        if (!written.ContainsKey("Max Auto Prepare") && !written.ContainsKey("MaxAutoPrepare"))
        {
            settings.MaxAutoPrepare = DefaultMaxAutoPrepare;
        }

        if (!written.ContainsKey("No Reset On Close") && !written.ContainsKey("NoResetOnClose"))
        {
            settings.NoResetOnClose = true;
        }

        return settings.ConnectionString;
    }

    private static NpgsqlDataSource CreateDataSource(string connectionString) => NpgsqlDataSource.Create(WithDefaults(connectionString));

    protected override async Task<T> ReadAsync<T>(Func<NpgsqlConnection, Task<T>> work, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return await work(connection);
    }

    private async Task<T> WriteAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        using var activity = Diagnostics.HeraldTracing.StartCommit("postgresql", writes: 1);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
                await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
                var result = await work(connection, transaction);
                await transaction.CommitAsync(cancellationToken);
                return result;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                throw new StorageConflictException(ConflictField(e.ConstraintName), e);
            }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure && attempt < MaxAttempts)
            {
                // Writers on several nodes can meet in a lock cycle (deleting an endpoint while an attempt of it is
                // recorded); PostgreSQL then rolls one back, which is safe to run again from the start.
            }
            catch (Exception e) when (Diagnostics.HeraldTracing.FailedFilter(activity, e))
            {
                throw; // Never reached: the filter marks the span failed and lets the exception pass.
            }
        }
    }

    /// <summary>
    /// A write of one statement outside any transaction of Herald's: the statement is its own transaction (all or
    /// nothing) and commits as it ends, so the write costs one round trip instead of one per statement plus the
    /// commit's. (An <see cref="NpgsqlBatch"/> would not do: measured here, its statements did not roll back together.)
    /// </summary>
    private async Task<T> StatementAsync<T>(Func<NpgsqlConnection, Task<T>> statement, CancellationToken cancellationToken)
    {
        using var activity = Diagnostics.HeraldTracing.StartCommit("postgresql", writes: 1);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
                return await statement(connection);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                throw new StorageConflictException(ConflictField(e.ConstraintName), e);
            }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure && attempt < MaxAttempts)
            {
                // As in WriteAsync: rolled back whole, safe to run again.
            }
            catch (Exception e) when (Diagnostics.HeraldTracing.FailedFilter(activity, e))
            {
                throw; // Never reached: the filter marks the span failed and lets the exception pass.
            }
        }
    }

    private Task WriteAsync(Func<NpgsqlConnection, NpgsqlTransaction, Task> work, CancellationToken cancellationToken) =>
        WriteAsync(async (c, t) => { await work(c, t); return true; }, cancellationToken);

    /// <summary>
    /// How many rows of <paramref name="table"/> (a fixed name, never input) the application has, for a count limit.
    /// The application's row is locked first (FOR NO KEY UPDATE: publishing, which only takes a key-share lock through
    /// the foreign key, is not blocked), so two nodes creating at once count one after the other and cannot both
    /// take the last place.
    /// </summary>
    private static async Task<long> CountLockedAsync(NpgsqlConnection c, NpgsqlTransaction t, string table, string applicationId)
    {
        await c.ExecuteAsync("SELECT 1 FROM applications WHERE id = @applicationId FOR NO KEY UPDATE", new { applicationId }, t);
        return await c.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {table} WHERE app_id = @applicationId", new { applicationId }, t);
    }

    // Unique constraints are named <table>__<field> (see 0001_initial.sql): "messages__event_id" → "event_id".
    private static string ConflictField(string? constraint) =>
        constraint?.IndexOf("__", StringComparison.Ordinal) is int at and >= 0 ? constraint[(at + 2)..] : constraint ?? "value";

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        try
        {
            await ApplyMigrationsAsync(cancellationToken);
        }
        catch (Exception e) when (StorageFailure.Classify(e) is { } failure)
        {
            var settings = new NpgsqlConnectionStringBuilder(_dataSource.ConnectionString);
            var server = $"{settings.Host}:{settings.Port}";
            throw new StorageStartupException(failure == StorageFailureKind.Full
                ? $"the disk of the PostgreSQL server {server} is full ({StorageStartupException.Cause(e)})"
                : $"the PostgreSQL server {server} is unavailable ({StorageStartupException.Cause(e)})", e);
        }
    }

    private async Task ApplyMigrationsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        // Several nodes may start at once: the first to take the lock migrates, the others then find nothing to do.
        // A session lock (not a transaction one) so that each migration still commits on its own.
        await connection.ExecuteAsync("SELECT pg_advisory_lock(@key)", new { key = MigrationLockKey });
        try
        {
            await RunMigrationsAsync(
                connection,
                "CREATE TABLE IF NOT EXISTS schema_migrations (version bigint PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL)",
                cancellationToken);
        }
        finally
        {
            // The connection goes back to the pool rather than closing, so the lock must be let go explicitly.
            await connection.ExecuteAsync("SELECT pg_advisory_unlock(@key)", new { key = MigrationLockKey });
        }
    }

    protected override string MigrationsPrefix => "Herald.Server.Storage.Postgres.Migrations.";

    /// <summary>
    /// A timestamp as stored: UTC (Npgsql writes only offset-zero values to timestamptz) and truncated to the
    /// millisecond, the precision SQLite keeps, so both engines compare and return the same instants.
    /// </summary>
    private static DateTimeOffset Ts(DateTimeOffset value)
    {
        var utc = value.ToUniversalTime();
        return utc.AddTicks(-(utc.Ticks % TimeSpan.TicksPerMillisecond));
    }

    private static DateTimeOffset? Ts(DateTimeOffset? value) => value is { } v ? Ts(v) : null;

    private static DateTimeOffset Time(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));

    private static DateTimeOffset? Time(DateTime? value) => value is { } v ? Time(v) : null;

    /// <summary>A filter list as a text[] parameter (null stays null: "no filter").</summary>
    private static string[]? TextArray(IEnumerable<string>? list) => list?.ToArray();

    protected override Task<T> TransactAsync<T>(Func<NpgsqlConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken) =>
        WriteAsync((c, t) => work(c, t), cancellationToken);

    protected override DateTimeOffset ToTime(DateTime stored) => Time(stored);

    protected override DateTimeOffset ToArg(DateTimeOffset value) => Ts(value);

    protected override IReadOnlyList<string>? ToList(string[]? stored) => stored;

    protected override IEnumerable<string>? ListArg(IEnumerable<string>? list) => TextArray(list);

    protected override string[]? StoredList(IReadOnlyList<string>? list) => TextArray(list);

    protected override string ListValue(string parameter) => $"{parameter}::text[]";

    protected override string Least(string left, string right) => $"LEAST({left}, {right})";

    protected override string True => "TRUE";

    protected override string LockedForUpdate => " FOR UPDATE";

    // Dapper passes a list parameter to Npgsql as one array.
    protected override string In(string column, string parameter) => $"{column} = ANY({parameter})";

    protected override string Holds(string listColumn, string parameter) => $"{parameter} = ANY({listColumn})";

    protected override string AnyRow(string condition) => $"bool_or({condition})";

    protected override string NullText => "NULL::text";

    protected override string NullBytes => "NULL::bytea";

    public async ValueTask DisposeAsync()
    {
        if (_ownsDataSource)
        {
            await _dataSource.DisposeAsync();
        }
    }

    public void Dispose()
    {
        if (_ownsDataSource)
        {
            _dataSource.Dispose();
        }
    }
}
