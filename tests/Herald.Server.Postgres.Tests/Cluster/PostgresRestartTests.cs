using System.Diagnostics;
using Herald.Server.Cluster;
using Herald.Server.Tests.Delivery;
using Herald.Server.Tests.Faults;
using Herald.Server.Tests.Infrastructure;
using Npgsql;

namespace Herald.Server.Tests.Cluster;

/// <summary>
/// Two Herald nodes on a PostgreSQL server that is stopped and started again under them — the whole server, not one
/// dropped connection: every pooled connection dies, and the listeners find nothing to reconnect to for a while.
/// Afterwards each node delivers what is published through it, and hears the other node again. Scans are an hour
/// apart, so only the in-memory hand-off and the notifications can explain anything arriving within seconds.
/// </summary>
public sealed class PostgresRestartTests : IAsyncLifetime
{
    private const string Hour = "01:00:00";
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(20);

    private PostgresInstance? _postgres;
    private HeraldApplication? _nodeA;
    private HeraldApplication? _nodeB;
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await WebhookReceiver.StartAsync();

    public async Task DisposeAsync()
    {
        if (_nodeB is not null)
        {
            await _nodeB.DisposeAsync();
        }

        if (_nodeA is not null)
        {
            await _nodeA.DisposeAsync();
        }

        await _receiver.DisposeAsync();
        _postgres?.Dispose();
    }

    [SkippableFact]
    public async Task PostgresRestarted_MessagePublishedAfterwards_IsDeliveredByTheSameNodeWithoutAScan()
    {
        var (a, _) = await StartNodesAsync();
        await a.CreateAppAsync("Shop", "shop");
        await a.CreateEndpointAsync("shop", _receiver.Url());
        await a.PublishAsync("shop"); // Fills node A's pool with connections that the restart kills.
        await _receiver.WaitForAsync(1, timeout: Soon);

        RestartPostgres();
        var published = await PublishAsClientsDoAsync(a);

        var received = await _receiver.WaitForAsync(2, timeout: Soon);
        Assert.Equal((string)published["id"]!, received[1].Id);
    }

    /// <summary>
    /// Publishes as a client told "503, Retry-After" does: again, until it is accepted. Connections pooled before the
    /// restart are dead, and the first requests that draw one are answered 503 storage_unavailable (nothing stored).
    /// </summary>
    private static async Task<JsonObject> PublishAsClientsDoAsync(HttpClient client)
    {
        for (var i = 0; ; i++)
        {
            var response = await client.PostAsJsonAsync("/api/v1/app/shop/msg", new { eventType = "invoice.paid", payload = new { n = i } });
            if (response.StatusCode != HttpStatusCode.ServiceUnavailable || i == 40)
            {
                return await response.ReadObjectAsync(HttpStatusCode.Accepted);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }
    }

    /// <summary>A long-poll as a client told "503, Retry-After" makes it: again, until it is answered (see above).</summary>
    private static async Task<JsonObject> LongPollAsClientsDoAsync(HttpClient client, string url)
    {
        for (var i = 0; ; i++)
        {
            var response = await client.GetAsync(url);
            if (response.StatusCode != HttpStatusCode.ServiceUnavailable || i == 40)
            {
                return await response.ReadObjectAsync(HttpStatusCode.OK);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }
    }

    [SkippableFact]
    public async Task PostgresRestarted_ListenersReconnect_AndACommitOnOneNodeAnswersALongPollOnTheOther()
    {
        var (a, b) = await StartNodesAsync();
        await a.CreateAppAsync("Shop", "shop");
        await (await a.PostAsJsonAsync("/api/v1/app/shop/destination", new { type = "pollingEndpoint", uid = "pull" })).ReadObjectAsync(HttpStatusCode.Created);
        var iterator = (string)(await b.GetObjectAsync("/api/v1/app/shop/poller/pull"))["iterator"]!;

        RestartPostgres();
        await DeliveryTestKit.EventuallyAsync(async () => await ListenersAsync() == 2, "both nodes listen again after the restart");

        var clock = Stopwatch.StartNew();
        var waiting = LongPollAsClientsDoAsync(b, $"/api/v1/app/shop/poller/pull?iterator={iterator}&wait=60s");
        await Task.Delay(TimeSpan.FromMilliseconds(500)); // Lets the long-poll reach its wait on node B.
        var published = await PublishAsClientsDoAsync(a);
        var page = await waiting;

        Assert.Equal((string?)published["id"], (string?)page["data"]![0]!["id"]);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"The long-poll answered after {clock.Elapsed}, not at the commit on the other node.");
    }

    /// <summary>Node A and node B on a PostgreSQL server of this test's own; their admin clients.</summary>
    private async Task<(HttpClient A, HttpClient B)> StartNodesAsync()
    {
        var bin = PostgresInstance.FindBinaries();
        Requirements.Require(bin is not null, "PostgreSQL's initdb/pg_ctl are not installed: this test runs a server of its own to stop and start.");
        _postgres = PostgresInstance.Create(bin!);
        _nodeA = HeraldApplication.OnDatabase(_postgres.ConnectionString)
            .With("Herald:Delivery:AllowedNetworks:0", DeliveryTestKit.Loopback).With("Herald:Delivery:ScanInterval", Hour);
        _ = _nodeA.Services; // Migrated before the second node starts.
        _nodeB = _nodeA.AnotherNode().With("Herald:Delivery:AllowedNetworks:0", DeliveryTestKit.Loopback).With("Herald:Delivery:ScanInterval", Hour);
        _ = _nodeB.Services;
        await DeliveryTestKit.EventuallyAsync(async () => await ListenersAsync() == 2, "both nodes listen");
        return (_nodeA.CreateAdminClient(), _nodeB.CreateAdminClient());
    }

    /// <summary><c>pg_ctl stop -m fast</c> (every session is cut), then start again.</summary>
    private void RestartPostgres()
    {
        _postgres!.Stop();
        _postgres.Start();
    }

    /// <summary>How many Herald listener connections the server has now.</summary>
    private async Task<int> ListenersAsync()
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_postgres!.ConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = @name AND datname = current_database()", connection)
        {
            Parameters = { new("name", PostgresClusterSignal.ApplicationName) },
        };
        return Convert.ToInt32(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
