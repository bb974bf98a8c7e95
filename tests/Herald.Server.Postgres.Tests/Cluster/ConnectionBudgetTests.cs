using Herald.Server.Cluster;
using Herald.Server.Diagnostics;
using Herald.Server.Storage;
using Herald.Server.Tests.Delivery;
using Herald.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Herald.Server.Tests.Cluster;

/// <summary>
/// Nodes whose connection pools add up to more than PostgreSQL accepts are refused connections under load ("too many
/// clients", answered 503): each node warns about it when the count of live nodes changes, before any load.
/// </summary>
public sealed class ConnectionBudgetTests : IAsyncLifetime
{
    private readonly string _database = PostgresTestServer.CreateDatabase();
    private readonly List<IDisposable> _servers = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        foreach (var server in Enumerable.Reverse(_servers))
        {
            server.Dispose();
        }

        PostgresTestServer.DropDatabase(_database);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task ConnectionBudget_TestServer_ReadsItsLimitLessTheReservedSlots()
    {
        var accepted = await AcceptedAsync();
        var (_, _, store) = Start(poolSize: 7);

        var budget = await store.GetConnectionBudgetAsync(CancellationToken.None);

        Assert.Equal(new ConnectionBudget(7, 1, accepted), budget);
    }

    [Fact]
    public async Task Heartbeat_SecondNodeTakesPoolsPastTheLimit_BothNodesWarnOnce()
    {
        // One node with this pool (and its listener) fits; two do not.
        var accepted = await AcceptedAsync();
        var pool = accepted / 2;
        var (firstLogs, _, _) = Start(pool);
        await Task.Delay(ClusterMembership.HeartbeatInterval); // The first node's check of one node has run.
        Assert.DoesNotContain(firstLogs.Entries, e => e.EventId == EventIds.ConnectionsOverBudget);

        var (secondLogs, _, _) = Start(pool);
        var second = await WarningAsync(secondLogs);
        var first = await WarningAsync(firstLogs);

        foreach (var warning in new[] { first, second })
        {
            Assert.Equal(LogLevel.Warning, warning.Level);
            Assert.Contains($"2 Herald node(s) may open up to {2 * (pool + 1)} connections", warning.Message, StringComparison.Ordinal);
            Assert.Contains($"a pool of {pool} and its listener", warning.Message, StringComparison.Ordinal);
            Assert.Contains($"accepts {accepted} from this user", warning.Message, StringComparison.Ordinal);
            Assert.Contains($"Set Maximum Pool Size in the connection string to at most {(accepted / 2) - 1} ", warning.Message, StringComparison.Ordinal);
        }

        await Task.Delay(2 * ClusterMembership.HeartbeatInterval); // More heartbeats, the same count: no repetition.
        Assert.Single(firstLogs.Entries, e => e.EventId == EventIds.ConnectionsOverBudget);
        Assert.Single(secondLogs.Entries, e => e.EventId == EventIds.ConnectionsOverBudget);
    }

    [Fact]
    public async Task ConnectionBudget_PoolWithoutASize_CountsHeraldsDefaultPool()
    {
        var (_, _, store) = Start(poolSize: null);

        var budget = await store.GetConnectionBudgetAsync(CancellationToken.None);

        Assert.Equal(Herald.Server.Storage.Postgres.PostgresStore.DefaultMaxPoolSize, budget!.PoolSize);
    }

    /// <summary>A Herald node on the test's database with the pool size given (null: Herald's default).</summary>
    private (CapturedLogs Logs, WebApplicationFactory<Program> Server, IClusterStore Store) Start(int? poolSize)
    {
        var connectionString = new NpgsqlConnectionStringBuilder(_database);
        if (poolSize is { } size)
        {
            connectionString.MaxPoolSize = size;
        }
        else
        {
            connectionString.Remove("Maximum Pool Size");
        }

        var logs = new CapturedLogs();
        var herald = HeraldApplication.OnDatabase(connectionString.ConnectionString);
        var server = herald.WithWebHostBuilder(builder => builder.ConfigureLogging(logging => logging.AddProvider(logs)));
        _servers.Add(herald);
        _servers.Add(server);
        return (logs, server, server.Services.GetRequiredService<IClusterStore>());
    }

    private static async Task<CapturedLogs.Entry> WarningAsync(CapturedLogs logs)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            if (logs.Entries.FirstOrDefault(e => e.EventId == EventIds.ConnectionsOverBudget) is { } warning)
            {
                return warning;
            }

            await Task.Delay(100, timeout.Token);
        }
    }

    /// <summary>What the server accepts from a user that is not a superuser, read here independently of Herald.</summary>
    private async Task<int> AcceptedAsync()
    {
        await using var connection = new NpgsqlConnection(_database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT current_setting('max_connections')::int - current_setting('superuser_reserved_connections')::int", connection);
        return (int)(await command.ExecuteScalarAsync())!;
    }
}
