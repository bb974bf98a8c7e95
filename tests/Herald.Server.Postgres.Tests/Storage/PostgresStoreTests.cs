using System.Text;
using Herald.Server.Common;
using Herald.Server.Applications;
using Herald.Server.Delivery;
using Herald.Server.Endpoints;
using Herald.Server.Messages;
using Herald.Server.Storage;
using Herald.Server.Storage.Postgres;
using Herald.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Herald.Server.Tests.Storage;

/// <summary>
/// What only a shared engine has to get right: several stores (as on several nodes) on one database — migrating
/// at once, claiming at once, restarting beside a live node, publishing to one application at once.
/// </summary>
public sealed class PostgresStoreTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2030, 1, 15, 12, 0, 0, TimeSpan.Zero);
    private static readonly CancellationToken None = CancellationToken.None;

    private readonly HeraldApplication _herald = new();
    private readonly List<PostgresStore> _nodes = [];
    private IHeraldStore _store = null!;
    private Ids _ids = null!;
    private string _connectionString = null!;

    public Task InitializeAsync()
    {
        _store = _herald.Services.GetRequiredService<IHeraldStore>();
        _ids = _herald.Services.GetRequiredService<Ids>();
        _connectionString = _herald.Services.GetRequiredService<IOptions<StorageOptions>>().Value.ConnectionString!;
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }

        await _herald.DisposeAsync();
    }

    /// <summary>Another node's store on the same database.</summary>
    private PostgresStore Node()
    {
        var node = new PostgresStore(
            Options.Create(new StorageOptions { Provider = "postgres", ConnectionString = _connectionString }), _ids, _herald.Services.GetRequiredService<Herald.Server.Secrets.SecretSealer>());
        _nodes.Add(node);
        return node;
    }

    private async Task<(string AppId, string EndpointId)> EndpointAsync()
    {
        var application = new Application { Id = _ids.New(Ids.Application), Name = "Acme", CreatedAt = T0, UpdatedAt = T0 };
        await _store.CreateApplicationAsync(application, None);
        var endpoint = new HeraldEndpoint { Id = _ids.New(Ids.Endpoint), ApplicationId = application.Id, Url = "https://example.com/hook", CreatedAt = T0, UpdatedAt = T0 };
        await _store.CreateEndpointAsync(endpoint, new EndpointSecretKey("whsec_" + Convert.ToBase64String(new byte[32]), T0), None);
        return (application.Id, endpoint.Id);
    }

    private NewMessage Message(string appId) => new()
    {
        Id = _ids.New(Ids.Message),
        ApplicationId = appId,
        EventType = "invoice.paid",
        Payload = Encoding.UTF8.GetBytes("""{"amount": 42,  "currency":"EUR"}"""),
        CreatedAt = T0,
    };

    [Fact]
    public async Task Migrate_FromSeveralNodesAtOnce_AllSucceed_AndTheSchemaIsUsable()
    {
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => Node().MigrateAsync(None))));

        var (appId, _) = await EndpointAsync();
        Assert.Equal(1, (await Node().PublishMessageAsync(Message(appId), null, new DeliveryLease("a", T0), None)).Message.Sequence);
    }

    [Fact]
    public async Task Claim_BySeveralNodesAtOnce_TakesEveryDueDeliveryExactlyOnce()
    {
        var (appId, _) = await EndpointAsync();
        var expired = new DeliveryLease("publisher", T0);
        var published = new List<string>();
        for (var i = 0; i < 60; i++)
        {
            published.AddRange((await _store.PublishMessageAsync(Message(appId), null, expired, None)).Deliveries.Select(d => d.Id));
        }

        var now = T0.AddSeconds(1);
        var nodes = Enumerable.Range(0, 4).Select(_ => Node()).ToList();
        var claims = await Task.WhenAll(nodes.Select((node, n) => Task.Run(async () =>
        {
            var mine = new List<string>();
            IReadOnlyList<DeliveryTask> batch;
            do
            {
                batch = await node.ClaimDueDeliveriesAsync(new DeliveryLease($"node{n}", now.AddMinutes(2)), now, limit: 7, perEndpoint: 1000, room: null, None);
                mine.AddRange(batch.Select(d => d.Id));
            }
            while (batch.Count > 0);
            return mine;
        })));

        var all = claims.SelectMany(c => c).ToList();
        Assert.Equal(published.Order(StringComparer.Ordinal), all.Order(StringComparer.Ordinal)); // every one, none twice
    }

    [Fact]
    public async Task Claim_CapsEachEndpoint_AndLeavesLiveLeasesAlone()
    {
        var (appId, _) = await EndpointAsync();
        for (var i = 0; i < 10; i++)
        {
            await _store.PublishMessageAsync(Message(appId), null, new DeliveryLease("publisher", T0), None);
        }

        var now = T0.AddSeconds(1);
        var first = await Node().ClaimDueDeliveriesAsync(new DeliveryLease("a", now.AddMinutes(2)), now, limit: 100, perEndpoint: 4, room: null, None);
        var second = await Node().ClaimDueDeliveriesAsync(new DeliveryLease("b", now.AddMinutes(2)), now, limit: 100, perEndpoint: 4, room: null, None);
        var afterExpiry = await Node().ClaimDueDeliveriesAsync(new DeliveryLease("c", now.AddMinutes(5)), now.AddMinutes(3), limit: 100, perEndpoint: 100, room: null, None);

        Assert.Equal(4, first.Count);
        Assert.Equal(4, second.Count);
        Assert.Empty(first.Select(d => d.Id).Intersect(second.Select(d => d.Id)));
        Assert.Equal(10, afterExpiry.Count); // a's and b's leases have expired, and 2 were never claimed
    }

    [Fact]
    public async Task RecoverAfterRestart_LeavesAnotherNodesLiveLeases()
    {
        var (appId, _) = await EndpointAsync();
        var now = T0.AddSeconds(1);
        await _store.PublishMessageAsync(Message(appId), null, new DeliveryLease("live-node", now.AddMinutes(2)), None);

        await Node().RecoverAfterRestartAsync(None);

        Assert.Empty(await Node().ClaimDueDeliveriesAsync(new DeliveryLease("restarted", now.AddMinutes(2)), now, 100, 100, null, None));
        Assert.Single(await Node().ClaimDueDeliveriesAsync(new DeliveryLease("restarted", now.AddMinutes(5)), now.AddMinutes(3), 100, 100, null, None));
    }

    [Fact]
    public async Task Publish_FromSeveralNodesWhileAReaderFollows_ReaderSeesEverySequenceOnceInOrder()
    {
        var (appId, _) = await EndpointAsync();
        const int perNode = 40;
        var nodes = Enumerable.Range(0, 4).Select(_ => Node()).ToList();
        var lease = new DeliveryLease("n", T0);
        var publishing = Task.WhenAll(nodes.Select(node => Task.Run(async () =>
        {
            for (var i = 0; i < perNode; i++)
            {
                await node.PublishMessageAsync(Message(appId), null, lease, None);
            }
        })));

        // A reader that follows the log as it grows: a position it reads through must never be passed by a later commit.
        var reader = Node();
        var seen = new List<long>();
        long position = 0;
        var filter = new Herald.Server.Polling.LogFilter(null, null, null, null);
        while (seen.Count < nodes.Count * perNode)
        {
            var page = await reader.ReadLogAsync(appId, position, filter, 25, long.MaxValue, None);
            seen.AddRange(page.Messages.Select(m => m.Sequence));
            position = page.Position;
            Assert.False(publishing.IsFaulted, publishing.Exception?.ToString());
        }

        await publishing;
        Assert.Equal(Enumerable.Range(1, nodes.Count * perNode).Select(i => (long)i), seen);
    }

    [Fact]
    public async Task RecordAttempt_ManySuccessesAtOnceWithOneRefused_RecordsEveryOtherOne()
    {
        var (appId, endpointId) = await EndpointAsync();
        var (goneAppId, goneEndpointId) = await EndpointAsync();
        var lease = new DeliveryLease("n", T0.AddMinutes(2));
        var deliveries = new List<DeliveryTask>();
        for (var i = 0; i < 40; i++)
        {
            deliveries.AddRange((await _store.PublishMessageAsync(Message(appId), null, lease, None)).Deliveries);
        }

        // A delivery whose endpoint is deleted while its try is in flight: its attempt has no delivery to refer to.
        var gone = Assert.Single((await _store.PublishMessageAsync(Message(goneAppId), null, lease, None)).Deliveries);
        Assert.True(await _store.DeleteEndpointAsync(goneAppId, goneEndpointId, None));
        deliveries.Insert(20, gone);

        // All at once: the successes wait for one another and go to PostgreSQL in groups, one of which holds the refused one.
        var now = T0.AddSeconds(1);
        var attempts = deliveries.Select(d => new AttemptRecord
        {
            Id = _ids.New(Ids.Attempt),
            ApplicationId = d.ApplicationId,
            DeliveryId = d.Id,
            MessageId = d.MessageId,
            EndpointId = d.EndpointId,
            Url = "https://example.com/hook",
            Status = MessageStatus.Success,
            Trigger = AttemptTrigger.Scheduled,
            ResponseStatusCode = 200,
            Response = "ok",
            ResponseDurationMs = 12,
            CreatedAt = now,
        }).ToList();
        var recording = attempts.Select(a => _store.RecordAttemptAsync(a, new DeliveryTransition(MessageStatus.Success, null), None)).ToList();
        var outcomes = await Task.WhenAll(recording.Select(async r =>
        {
            try
            {
                return (Failed: false, FailingSince: await r);
            }
            catch (Exception)
            {
                return (Failed: true, FailingSince: (DateTimeOffset?)null);
            }
        }));

        Assert.True(outcomes[20].Failed);
        Assert.All(outcomes.Where((_, i) => i != 20), o => Assert.Equal((false, (DateTimeOffset?)null), o));
        foreach (var attempt in attempts.Where(a => a.EndpointId == endpointId))
        {
            var stored = await _store.GetAttemptAsync(appId, attempt.Id, None);
            Assert.Equal(attempt with { CreatedAt = stored!.CreatedAt }, stored);
            var work = await _store.GetDeliveryWorkAsync(new DeliveryTask(attempt.DeliveryId, appId, attempt.MessageId, attempt.EndpointId, Manual: false, Attempts: 0), now, None);
            Assert.Equal(1, work!.Delivery.Attempts);
        }

        // Done: no claim finds them again, even once the lease is over.
        Assert.Empty(await _store.ClaimDueDeliveriesAsync(new DeliveryLease("later", now.AddMinutes(10)), now.AddMinutes(5), 100, 100, null, None));
    }

    [Fact]
    public async Task ReadCaches_AnotherNodeChangesTheRows_ThisNodeReadsTheChange()
    {
        var caches = _herald.Services.GetRequiredService<PostgresReadCaches>();
        await Eventually(() => Task.FromResult(caches.IsLive)); // The host's listener is connected: the caches keep rows.
        var other = Node();

        var (appId, _) = await EndpointAsync();
        var application = await _store.GetApplicationAsync(appId, None); // now cached
        Assert.Null(await _store.GetEventTypeAsync("order.shipped", None)); // the miss too
        var cachedPublish = await _store.PublishMessageAsync(Message(appId), null, new DeliveryLease("n", T0), None); // moves last_sequence only

        await other.UpdateApplicationAsync(application! with { Name = "Renamed" }, None);
        await other.CreateEventTypeAsync(new Herald.Server.EventTypes.EventType { Name = "order.shipped", CreatedAt = T0, UpdatedAt = T0 }, None);

        Assert.Equal(1, cachedPublish.Message.Sequence);
        await Eventually(async () => (await _store.GetApplicationAsync(appId, None))?.Name == "Renamed");
        await Eventually(async () => await _store.GetEventTypeAsync("order.shipped", None) is not null);

        await other.DeleteApplicationAsync(appId, None);
        await Eventually(async () => await _store.GetApplicationAsync(appId, None) is null);
    }

    /// <summary>Waits up to 10 s for a condition another node's notification makes true.</summary>
    private static async Task Eventually(Func<Task<bool>> condition)
    {
        var until = DateTime.UtcNow.AddSeconds(10);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < until, "the condition did not hold within 10 s");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task Publish_RolledBackByAConflict_LeavesNoGapInTheSequence()
    {
        var (appId, _) = await EndpointAsync();
        var lease = new DeliveryLease("n", T0);
        await _store.PublishMessageAsync(Message(appId) with { EventId = "evt-1" }, null, lease, None);

        var conflict = await Assert.ThrowsAsync<StorageConflictException>(() => _store.PublishMessageAsync(Message(appId) with { EventId = "evt-1" }, null, lease, None));
        var next = await _store.PublishMessageAsync(Message(appId), null, lease, None);

        Assert.Equal("event_id", conflict.Field);
        Assert.Equal(2, next.Message.Sequence);
    }

    [Fact]
    public async Task Payload_IsStoredAndReturnedByteForByte()
    {
        var (appId, _) = await EndpointAsync();
        var payload = Encoding.UTF8.GetBytes("{ \"b\":1,\n\t\"a\" : [1 , 2], \"é\": \"\\u00e9\" }");

        var published = await _store.PublishMessageAsync(Message(appId) with { Payload = payload }, null, new DeliveryLease("n", T0), None);

        Assert.Equal(payload, (await Node().GetMessageAsync(appId, published.Message.Id, None))!.Payload);
    }
}
