using System.Collections.Concurrent;
using System.Diagnostics;
using Herald.Server.Tests.Infrastructure;
using Npgsql;
using Xunit.Abstractions;

namespace Herald.Server.Tests.Cluster;

/// <summary>
/// Three Herald processes on one PostgreSQL database, as a cluster runs in production: 10,000 messages are published
/// through all three while one node is killed (SIGKILL) mid-run. The promises must hold for the cluster as a whole.
/// </summary>
public sealed class ClusterTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Token = "herald_sk_cluster_suite_token_0123456789abcdef";
    private const int Messages = 10_000;
    private const int ThrottledMessages = 150;
    private const int ThrottleRate = 10;
    private const int ThrottleWindow = 5;
    private const int Publishers = 24;
    private static readonly string[] Apps = ["c0", "c1", "c2", "c3", "c4"];

    private readonly string _database = PostgresTestServer.CreateDatabase();
    private readonly string _data = Directory.CreateTempSubdirectory("herald-cluster").FullName;
    private readonly ConcurrentDictionary<string, int> _received = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<DateTimeOffset> _throttledArrivals = new();
    private readonly ConcurrentQueue<long> _throttledSigned = new(); // webhook-timestamp: the second each send started
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync()
    {
        _receiver = await WebhookReceiver.StartAsync();
        _receiver.Respond = async (webhook, context) =>
        {
            _received.AddOrUpdate(webhook.Id, 1, (_, n) => n + 1);
            if (webhook.Path == "/throttled")
            {
                _throttledArrivals.Enqueue(webhook.ReceivedAt);
                _throttledSigned.Enqueue(long.Parse(webhook.Headers["webhook-timestamp"], System.Globalization.CultureInfo.InvariantCulture));
            }

            await Task.Delay(Random.Shared.Next(0, 5)); // Keeps some attempts in flight at any moment, as real receivers do.
            context.Response.StatusCode = 200;
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
    public async Task ThreeNodes_OneKilledMidRun_EveryMessageDelivered_LimitsHoldAcrossNodes_AndAConsumerSeesEachMessageOnceInOrder()
    {
        var environment = new Dictionary<string, string>
        {
            ["Herald__Storage__Provider"] = "postgres",
            ["Herald__Storage__ConnectionString"] = _database,
            ["Herald__Secrets__MainKey"] = Secrets.TestMainKeys.A,
            ["Herald__Auth__AdminToken"] = Token,
            ["Herald__Delivery__AllowedNetworks__0"] = "127.0.0.0/8",
            ["Herald__Delivery__LeaseDuration"] = "00:00:31", // the shortest allowed: a dead node's work comes back soon
        };
        var nodes = new HeraldProcess[3];
        for (var i = 0; i < nodes.Length; i++)
        {
            nodes[i] = await HeraldProcess.StartAsync(Path.Combine(_data, $"node{i}"), environment);
        }

        try
        {
            var clients = nodes.Select(n => n.CreateClient(Token)).ToArray();
            string sinkId;
            {
                var setup = clients[0];
                foreach (var app in Apps)
                {
                    await setup.CreateAppAsync(app, app);
                    await setup.CreateEndpointAsync(app, _receiver.Url($"/{app}"));
                }

                await setup.CreateAppAsync("throttled", "throttled");
                await setup.CreateEndpointAsync("throttled", _receiver.Url("/throttled"), new JsonObject { ["throttleRate"] = ThrottleRate });
                var sink = await (await setup.PostAsJsonAsync("/api/v1/app/c0/destination", new JsonObject { ["type"] = "pollingEndpoint" }))
                    .ReadObjectAsync(HttpStatusCode.Created);
                sinkId = (string)sink["id"]!;
            }

            // A consumer reads app c0's log through node 2 for the whole run, committing as it goes.
            using var stopReading = new CancellationTokenSource();
            var consumed = new List<string>();
            var consumer = ConsumeAsync(clients[2], sinkId, consumed, stopReading.Token);

            // Publish through all three nodes; node 1 is killed once 40 % are accepted.
            var accepted = new ConcurrentDictionary<string, string>(); // message id → app
            var killed = 0;
            var next = 0;
            var publishing = Stopwatch.StartNew();
            var killAt = Messages * 4 / 10;
            List<string> heldByKilledNode = [];
            var killing = Task.Run(async () =>
            {
                while (accepted.Count < killAt)
                {
                    await Task.Delay(20);
                }

                await nodes[1].KillAsync();
                Volatile.Write(ref killed, 1);
                heldByKilledNode = await LeasedToAsync(nodes[1].ProcessId);
                output.WriteLine($"Killed node 1 (SIGKILL) after {accepted.Count} accepted; it held {heldByKilledNode.Count} leased deliveries.");
            });
            await Task.WhenAll(Enumerable.Range(0, Publishers).Select(p => Task.Run(async () =>
            {
                int n;
                while ((n = Interlocked.Increment(ref next)) <= Messages)
                {
                    var app = n <= ThrottledMessages ? "throttled" : Apps[n % Apps.Length];
                    while (true)
                    {
                        var node = (n + p) % nodes.Length;
                        if (node == 1 && Volatile.Read(ref killed) == 1)
                        {
                            node = 2;
                        }

                        try
                        {
                            var response = await clients[node].PostAsJsonAsync($"/api/v1/app/{app}/msg",
                                new JsonObject { ["eventType"] = "order.created", ["payload"] = new JsonObject { ["n"] = n } });
                            var message = await response.ReadObjectAsync(HttpStatusCode.Accepted);
                            accepted[(string)message["id"]!] = app;
                            break;
                        }
                        catch (HttpRequestException) when (node == 1)
                        {
                            // The node died under this request: the outcome is unknown, so publish it again elsewhere
                            // (a copy the dead node may have committed is checked below like any message).
                            await killing;
                        }
                    }
                }
            })));
            await killing;
            output.WriteLine($"{accepted.Count} messages accepted in {publishing.Elapsed.TotalSeconds:0.0} s through three nodes.");
            Assert.Equal(Messages, accepted.Count);

            // 1. Every accepted message reaches its endpoint at least once.
            await WaitUntilAsync(() => accepted.Keys.All(_received.ContainsKey), TimeSpan.FromMinutes(3),
                () => $"{accepted.Keys.Count(id => !_received.ContainsKey(id))} accepted messages never arrived.");
            // A publish cut off by the kill may have committed without its 202 reaching us (it was then published again):
            // such messages are messages like any other and must arrive too — their deliveries were the dead node's.
            var committed = await CommittedMessagesAsync();
            await WaitUntilAsync(() => committed.Keys.All(_received.ContainsKey), TimeSpan.FromMinutes(2),
                () => $"{committed.Keys.Count(id => !_received.ContainsKey(id))} committed messages never arrived: "
                      + DescribeDeliveries(committed.Keys.Where(id => !_received.ContainsKey(id)).Take(5).ToList()));
            var unknown = _received.Keys.Where(id => !committed.ContainsKey(id)).ToList();
            Assert.True(unknown.Count == 0, $"{unknown.Count} webhook ids are not messages of the database (of {committed.Count}): {string.Join(", ", unknown.Take(5))}");

            // 2. Duplicates only for deliveries the killed node held.
            var duplicated = _received.Where(r => r.Value > 1).Select(r => r.Key).ToList();
            output.WriteLine($"{_received.Values.Sum()} webhooks for {_received.Count} messages: {duplicated.Count} message(s) arrived more than once.");
            Assert.Empty(duplicated.Except(heldByKilledNode));

            // 3. The throttled endpoint got at most its rate in any second, although three (then two) nodes sent to it.
            var arrivals = _throttledArrivals.Order().ToList();
            Assert.InRange(arrivals.Count, ThrottledMessages, ThrottledMessages + heldByKilledNode.Count);
            // The budget is per second of sending, so the sends are counted by the second they started (the signed
            // webhook-timestamp), not by arrival: on a loaded machine one second's sends may land in the next (CI saw 66
            // arrivals in 5 s at 10/s). A send may still start a little after the second its budget came from (its
            // thread delayed after the take), so windows of ThrottleWindow seconds may hold one second's budget more;
            // three nodes each sending at the rate would put three times as many in the window.
            var signed = _throttledSigned.ToList();
            var perWindow = signed.Distinct().Max(start => signed.Count(s => s >= start && s < start + ThrottleWindow));
            var span = arrivals[^1] - arrivals[0];
            output.WriteLine($"Throttled endpoint ({ThrottleRate}/s): {arrivals.Count} webhooks over {span.TotalSeconds:0.0} s (started over {signed.Max() - signed.Min()} s), at most {perWindow} started in {ThrottleWindow} s.");
            Assert.InRange(perWindow, 1, (ThrottleWindow + 1) * ThrottleRate + heldByKilledNode.Count);
            // The lower bound too is judged by the second each send started: 150 sends at 10 per second need 15 seconds of
            // budget, so the first and last start are at least 14 s apart (13 allowing the first send's start to slip).
            // Arrivals can be closer (CI saw 12.9 s) when the first webhook is delayed on its way and the last is not.
            var startedOver = signed.Max() - signed.Min();
            Assert.True(startedOver >= (ThrottledMessages / ThrottleRate) - 2, $"{ThrottledMessages} webhooks at {ThrottleRate}/s started within {startedOver} s.");

            // 4. The consumer, reading through another node, saw every message of c0 exactly once, in commit order.
            var c0InOrder = await LogOfAsync("c0");
            await WaitUntilAsync(() => { lock (consumed) { return consumed.Count >= c0InOrder.Count; } }, TimeSpan.FromMinutes(1),
                () => $"The consumer saw {consumed.Count} of {c0InOrder.Count} messages.");
            await stopReading.CancelAsync();
            await consumer;
            Assert.Equal(c0InOrder, consumed);
            Assert.Subset(c0InOrder.ToHashSet(), accepted.Where(a => a.Value == "c0").Select(a => a.Key).ToHashSet());
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }

    /// <summary>Long-polls the consumer's cursor; passing each page's iterator commits it before the next read.</summary>
    private static async Task ConsumeAsync(HttpClient client, string sinkId, List<string> consumed, CancellationToken stop)
    {
        string? iterator = null;
        while (!stop.IsCancellationRequested)
        {
            var url = $"/api/v1/app/c0/poller/{sinkId}/consumer/reader?limit=250&wait=2s" + (iterator is null ? "" : $"&iterator={Uri.EscapeDataString(iterator)}");
            HttpResponseMessage response;
            try
            {
                response = await client.GetAsync(url, stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }

            var page = await response.ReadObjectAsync(HttpStatusCode.OK);
            lock (consumed)
            {
                consumed.AddRange(page["data"]!.AsArray().Select(m => (string)m!["id"]!));
            }

            iterator = (string?)page["iterator"];
        }
    }

    private async Task<List<string>> LeasedToAsync(int processId)
    {
        await using var connection = new NpgsqlConnection(_database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT message_id FROM deliveries WHERE lease_owner LIKE @owner", connection);
        command.Parameters.AddWithValue("owner", $"%:{processId}:%");
        var ids = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    /// <summary>The delivery rows of some messages, to say where a missing one is stuck.</summary>
    private string DescribeDeliveries(List<string> messageIds)
    {
        using var connection = new NpgsqlConnection(_database);
        connection.Open();
        using var command = new NpgsqlCommand(
            """
            SELECT d.message_id, a.uid, d.status, d.attempts, d.next_attempt_at, d.lease_owner, d.lease_expires_at, now(),
                   (SELECT count(*) FROM attempts t WHERE t.delivery_id = d.id)
            FROM deliveries d JOIN applications a ON a.id = d.app_id WHERE d.message_id = ANY(@ids)
            """, connection);
        command.Parameters.AddWithValue("ids", messageIds.ToArray());
        var lines = new List<string>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            lines.Add(string.Join(" | ", Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "null" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))));
        }

        return $"{messageIds.Count} sampled, {lines.Count} delivery rows:\n" + string.Join("\n", lines);
    }

    private async Task<Dictionary<string, string>> CommittedMessagesAsync()
    {
        await using var connection = new NpgsqlConnection(_database);
        await connection.OpenAsync();
        // The test's applications only: Herald's own operational-webhook application has messages too (endpoint.created).
        await using var command = new NpgsqlCommand(
            "SELECT m.id, a.uid FROM messages m JOIN applications a ON a.id = m.app_id WHERE a.uid = ANY(@uids)", connection);
        command.Parameters.AddWithValue("uids", Apps.Append("throttled").ToArray());
        var messages = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            messages[reader.GetString(0)] = reader.IsDBNull(1) ? "" : reader.GetString(1);
        }

        return messages;
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

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, Func<string> describeFailure)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException($"Not reached within {timeout}: {describeFailure()}");
            }

            await Task.Delay(100);
        }
    }
}
