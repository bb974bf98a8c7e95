using System.Diagnostics;
using System.Text;
using Herald.Server.Cluster;
using Herald.Server.Common;
using Herald.Server.Delivery;
using Herald.Server.Messages;
using Herald.Server.Storage;
using Herald.Server.Tests.Delivery;
using Herald.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Herald.Server.Tests.Cluster;

/// <summary>
/// Two Herald nodes on one PostgreSQL database: what one commits wakes the other at once through LISTEN/NOTIFY.
/// Scans are set an hour apart, so only a notification can explain anything arriving within seconds.
/// </summary>
public sealed class ClusterSignalTests : IAsyncLifetime
{
    private const string Hour = "01:00:00";
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(10);

    private readonly HeraldApplication _nodeA = DeliveryTestKit.LoopbackHerald().With("Herald:Delivery:ScanInterval", Hour);
    private HeraldApplication _nodeB = null!;
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync()
    {
        _receiver = await WebhookReceiver.StartAsync();
        _ = _nodeA.Services; // started, so its database exists
        _nodeB = _nodeA.AnotherNode().With("Herald:Delivery:AllowedNetworks:0", DeliveryTestKit.Loopback).With("Herald:Delivery:ScanInterval", Hour);
        _ = _nodeB.Services;
    }

    public async Task DisposeAsync()
    {
        await _nodeB.DisposeAsync();
        await _nodeA.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task MessagePublishedOnOneNode_AnswersALongPollWaitingOnAnother_AtOnce()
    {
        var (a, b, iterator) = await ShopPolledOnNodeBAsync();

        await AssertLongPollOnBAnswersAtPublishOnAAsync(a, b, iterator);
    }

    [Fact]
    public async Task ListenerConnectionDropped_Reconnects_AndOtherNodesCommitsWakeItsReadersAgain()
    {
        var (a, b, iterator) = await ShopPolledOnNodeBAsync();

        // Cut every listening connection (both nodes'), as a database restart or a network blip would.
        var killed = await ListenersAsync("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = @name AND datname = current_database()");
        Assert.Equal(2, killed);
        await DeliveryTestKit.EventuallyAsync(
            async () => await ListenersAsync("SELECT pid FROM pg_stat_activity WHERE application_name = @name AND datname = current_database()") == 2,
            "both nodes listen again");

        await AssertLongPollOnBAnswersAtPublishOnAAsync(a, b, iterator);
    }

    /// <summary>An application with a polling endpoint, created through node A, and a first iterator read through node B.</summary>
    private async Task<(HttpClient A, HttpClient B, string Iterator)> ShopPolledOnNodeBAsync()
    {
        var a = _nodeA.CreateAdminClient();
        var b = _nodeB.CreateAdminClient();
        await a.CreateAppAsync("Shop", "shop");
        await (await a.PostAsJsonAsync("/api/v1/app/shop/destination", new { type = "pollingEndpoint", uid = "pull" })).ReadObjectAsync(HttpStatusCode.Created);
        var first = await b.GetObjectAsync("/api/v1/app/shop/poller/pull");
        return (a, b, (string)first["iterator"]!);
    }

    private static async Task AssertLongPollOnBAnswersAtPublishOnAAsync(HttpClient a, HttpClient b, string iterator)
    {
        var clock = Stopwatch.StartNew();
        var waiting = b.GetObjectAsync($"/api/v1/app/shop/poller/pull?iterator={iterator}&wait=60s");
        // Give the request time to reach its wait on node B (were it not waiting yet, it would simply read the message).
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        var published = await a.PublishAsync("shop");
        var page = await waiting;

        Assert.Equal((string?)published["id"], (string?)page["data"]![0]!["id"]);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"The long-poll answered after {clock.Elapsed}, not at the commit.");
    }

    /// <summary>Runs a query about the listener connections of this database; returns how many rows it gave.</summary>
    private async Task<int> ListenersAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_nodeA.PostgresConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { Parameters = { new("name", PostgresClusterSignal.ApplicationName) } };
        await using var reader = await command.ExecuteReaderAsync();
        var rows = 0;
        while (await reader.ReadAsync())
        {
            rows++;
        }

        return rows;
    }

    [Fact]
    public async Task DeliveriesReleasedByANode_AreSentByTheClusterWithoutWaitingForAScan()
    {
        var a = _nodeA.CreateAdminClient();
        var app = await a.CreateAppAsync("Shop", "shop");
        await a.CreateEndpointAsync("shop", _receiver.Url());
        // A third node, outside this process, publishes and then stops: its work is released, and only its notification
        // tells nodes A and B to claim it before their next scan, an hour away.
        var store = _nodeA.Services.GetRequiredService<IHeraldStore>();
        var ids = _nodeA.Services.GetRequiredService<Ids>();
        var message = new NewMessage
        {
            Id = ids.New(Ids.Message),
            ApplicationId = (string)app["id"]!,
            EventType = "order.created",
            Payload = Encoding.UTF8.GetBytes("""{"n":1}"""),
            CreatedAt = DateTimeOffset.UtcNow,
        };
        await store.PublishMessageAsync(message, null, new DeliveryLease("stopping-node", DateTimeOffset.UtcNow.AddHours(1)), CancellationToken.None);
        await store.ReleaseLeasesAsync("stopping-node", CancellationToken.None);

        var received = await _receiver.WaitForAsync(1, timeout: Soon);

        Assert.Equal(message.Id, received[0].Id);
    }
}
