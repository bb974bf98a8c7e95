using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;

namespace Herald.Bench.Bare;

/// <summary>
/// The bare server's log: one append-only table of (application, id, kind, body) rows, written by one writer with
/// group commit — every append waiting when a commit starts goes into it, and each append's task completes after its
/// commit is durable. SQLite in WAL mode with <c>synchronous = FULL</c> (an fsync per commit), or PostgreSQL with its
/// defaults (<c>synchronous_commit = on</c>) and one multi-row insert per group.
/// </summary>
internal abstract class BareStore : IAsyncDisposable
{
    public const byte MessageKind = 1;
    public const byte AttemptKind = 2;

    private readonly Channel<Entry> _queue = Channel.CreateUnbounded<Entry>(new UnboundedChannelOptions { SingleReader = true });
    private Task _writer = Task.CompletedTask;

    protected sealed record Entry(string App, string Id, byte Kind, byte[] Body, TaskCompletionSource Done);

    /// <summary>The store of <paramref name="settings"/>, or null for the relay, which stores nothing.</summary>
    public static async Task<BareStore?> OpenAsync(BareSettings settings)
    {
        BareStore? store = settings.Mode == BareMode.Relay ? null
            : settings.PostgresConnectionString is { } postgres ? await PostgresBareStore.OpenAsync(postgres, settings.Table)
            : SqliteBareStore.Open(settings.SqlitePath ?? throw new InvalidOperationException("BARE_SQLITE or BARE_POSTGRES is required to store."));
        store?.Start();
        return store;
    }

    public Task AppendAsync(string app, string id, byte kind, byte[] body)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_queue.Writer.TryWrite(new Entry(app, id, kind, body, done)))
        {
            done.SetException(new ObjectDisposedException(nameof(BareStore)));
        }

        return done.Task;
    }

    protected abstract Task WriteAsync(IReadOnlyList<Entry> group);

    private void Start() => _writer = Task.Factory.StartNew(WriteLoopAsync, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();

    private async Task WriteLoopAsync()
    {
        var group = new List<Entry>();
        while (await _queue.Reader.WaitToReadAsync())
        {
            group.Clear();
            while (group.Count < 4096 && _queue.Reader.TryRead(out var entry))
            {
                group.Add(entry);
            }

            try
            {
                await WriteAsync(group);
                group.ForEach(e => e.Done.SetResult());
            }
            catch (Exception e)
            {
                group.ForEach(entry => entry.Done.SetException(e));
            }
        }
    }

    public virtual async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writer;
    }
}

internal sealed class SqliteBareStore : BareStore
{
    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _insert;

    private SqliteBareStore(SqliteConnection connection)
    {
        _connection = connection;
        _insert = connection.CreateCommand();
        _insert.CommandText = "INSERT INTO log (app, id, kind, body) VALUES ($app, $id, $kind, $body)";
        _insert.Parameters.Add("$app", SqliteType.Text);
        _insert.Parameters.Add("$id", SqliteType.Text);
        _insert.Parameters.Add("$kind", SqliteType.Integer);
        _insert.Parameters.Add("$body", SqliteType.Blob);
    }

    public static SqliteBareStore Open(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        using (var setup = connection.CreateCommand())
        {
            setup.CommandText = """
                PRAGMA journal_mode = WAL;
                PRAGMA synchronous = FULL;
                CREATE TABLE IF NOT EXISTS log (seq INTEGER PRIMARY KEY, app TEXT NOT NULL, id TEXT NOT NULL, kind INTEGER NOT NULL, body BLOB NOT NULL);
                """;
            setup.ExecuteNonQuery();
        }

        var store = new SqliteBareStore(connection);
        store._insert.Prepare();
        return store;
    }

    protected override Task WriteAsync(IReadOnlyList<Entry> group)
    {
        using var transaction = _connection.BeginTransaction();
        _insert.Transaction = transaction;
        foreach (var entry in group)
        {
            _insert.Parameters[0].Value = entry.App;
            _insert.Parameters[1].Value = entry.Id;
            _insert.Parameters[2].Value = entry.Kind;
            _insert.Parameters[3].Value = entry.Body;
            _insert.ExecuteNonQuery();
        }

        transaction.Commit();
        return Task.CompletedTask;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _insert.Dispose();
        await _connection.DisposeAsync();
    }
}

internal sealed class PostgresBareStore : BareStore
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly string _table;

    private PostgresBareStore(NpgsqlDataSource dataSource, string table)
    {
        _dataSource = dataSource;
        _table = table;
    }

    public static async Task<PostgresBareStore> OpenAsync(string connectionString, string table)
    {
        var dataSource = NpgsqlDataSource.Create(connectionString);
        await using (var create = dataSource.CreateCommand(
            $"CREATE TABLE IF NOT EXISTS {table} (seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, app text NOT NULL, id text NOT NULL, kind smallint NOT NULL, body bytea NOT NULL)"))
        {
            await create.ExecuteNonQueryAsync();
        }

        return new PostgresBareStore(dataSource, table);
    }

    protected override async Task WriteAsync(IReadOnlyList<Entry> group)
    {
        await using var insert = _dataSource.CreateCommand(
            $"INSERT INTO {_table} (app, id, kind, body) SELECT * FROM unnest($1::text[], $2::text[], $3::smallint[], $4::bytea[])");
        insert.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = group.Select(e => e.App).ToArray() });
        insert.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = group.Select(e => e.Id).ToArray() });
        insert.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Smallint, Value = group.Select(e => (short)e.Kind).ToArray() });
        insert.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea, Value = group.Select(e => e.Body).ToArray() });
        await insert.ExecuteNonQueryAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await _dataSource.DisposeAsync();
    }
}
