using System.Collections.Concurrent;
using Herald.Server.Tests.Infrastructure;
using Npgsql;

namespace Herald.Server.Tests.Cluster;

/// <summary>
/// A FIFO endpoint in a cluster: three Herald processes on one PostgreSQL database publish to one application at the
/// same time, the receiver fails some first tries, and it still sees the messages in the order of their sequence
/// numbers: the line is kept by storage, so no node sends a message before the one ahead of it, whichever node holds it.
/// </summary>
public sealed class FifoClusterTests : IAsyncLifetime
{
    private const string Token = "herald_sk_fifo_cluster_suite_token_0123456789";
    private const int MessagesPerNode = 20;

    private readonly string _database = PostgresTestServer.CreateDatabase();
    private readonly string _data = Directory.CreateTempSubdirectory("herald-fifo-cluster").FullName;
    private readonly ConcurrentDictionary<string, int> _tries = new(StringComparer.Ordinal);
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync()
    {
        _receiver = await WebhookReceiver.StartAsync();
        _receiver.Respond = async (webhook, context) =>
        {
            // About one message in four fails its first try (by its id, so which ones is spread over the nodes).
            var tried = _tries.AddOrUpdate(webhook.Id, 1, (_, n) => n + 1);
            await Task.Delay(Random.Shared.Next(0, 5));
            context.Response.StatusCode = webhook.Id[^1] % 4 == 0 && tried == 1 ? 500 : 200;
        };
    }

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        PostgresTestServer.DropDatabase(_database);
        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (IOException)
        {
            // Left in the temp folder: harmless.
        }
    }

    [Fact]
    public async Task ThreeNodes_PublishingConcurrently_FifoEndpointReceivesInSequenceOrder()
    {
        var environment = new Dictionary<string, string>
        {
            ["Herald__Storage__Provider"] = "postgres",
            ["Herald__Storage__ConnectionString"] = _database,
            ["Herald__Secrets__MainKey"] = Secrets.TestMainKeys.A,
            ["Herald__Auth__AdminToken"] = Token,
            ["Herald__Delivery__AllowedNetworks__0"] = "127.0.0.0/8",
            ["Herald__Delivery__Jitter"] = "0",
            ["Herald__Delivery__RetrySchedule__0"] = "00:00:00.050",
            ["Herald__Delivery__RetrySchedule__1"] = "00:00:00.050",
        };
        var nodes = new HeraldProcess[3];
        for (var i = 0; i < nodes.Length; i++)
        {
            nodes[i] = await HeraldProcess.StartAsync(Path.Combine(_data, $"node{i}"), environment);
        }

        try
        {
            var clients = nodes.Select(n => n.CreateClient(Token)).ToArray();
            await clients[0].CreateAppAsync("Fifo", "fifo");
            await clients[0].CreateEndpointAsync("fifo", _receiver.Url("/ordered"), new JsonObject { ["fifo"] = true });
            var published = new ConcurrentBag<string>();
            await Task.WhenAll(clients.Select(client => Task.Run(async () =>
            {
                for (var n = 0; n < MessagesPerNode; n++)
                {
                    published.Add((string)(await client.PublishAsync("fifo"))["id"]!);
                }
            })));

            var total = MessagesPerNode * nodes.Length;
            using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(3)); // Generous: CI machines are loaded; order is checked, not speed.
            while (_receiver.Received.Select(w => w.Id).Distinct().Count() < total)
            {
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(50), deadline.Token);
                }
                catch (OperationCanceledException)
                {
                    Assert.Fail($"Only {_receiver.Received.Select(w => w.Id).Distinct().Count()} of {total} messages arrived.");
                }
            }

            var log = await LogOfAsync("fifo");
            Assert.Equal(published.Order(StringComparer.Ordinal), log.Order(StringComparer.Ordinal));
            var place = log.Select((id, i) => (id, i)).ToDictionary(p => p.id, p => p.i, StringComparer.Ordinal);
            var order = _receiver.Received.Select(w => place[w.Id]).ToList();
            Assert.True(order.SequenceEqual(order.Order()), "Arrivals out of sequence order: " + string.Join(",", order));
            Assert.Contains(_tries.Values, n => n > 1); // Retries really happened in the line.
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }

    /// <summary>An application's messages in the order of their sequence numbers, as the database has them.</summary>
    private async Task<List<string>> LogOfAsync(string appUid)
    {
        await using var connection = new NpgsqlConnection(_database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT m.id FROM messages m JOIN applications a ON a.id = m.app_id WHERE a.uid = @uid ORDER BY m.sequence", connection);
        command.Parameters.AddWithValue("uid", appUid);
        var ids = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }
}
