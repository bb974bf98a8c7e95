using System.Text;
using Herald.Server.Common;
using Herald.Server.Applications;
using Herald.Server.Delivery;
using Herald.Server.Endpoints;
using Herald.Server.Messages;
using Herald.Server.Retention;
using Herald.Server.Storage;
using Herald.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Xunit.Abstractions;

namespace Herald.Server.Tests.Storage;

/// <summary>
/// Space is reused (PostgreSQL; the SQLite twin is RetentionSpaceTests): under a steady load — messages with payloads,
/// a delivery and an attempt each — and a fake clock running past the retention, the tables Herald writes
/// (<c>messages</c>, <c>deliveries</c>, <c>attempts</c>, with their indexes and TOAST) stop growing once the first
/// history window has passed. The retention job only deletes (and nulls expired payloads); the dead tuples that
/// leaves become reusable when VACUUM runs. In production autovacuum does that on its own schedule; here a plain
/// VACUUM (not FULL: it takes no exclusive lock and returns nothing to the OS) runs after each job, where autovacuum
/// would, so the test does not depend on autovacuum's timing.
/// </summary>
public sealed class RetentionSpacePostgresTests(ITestOutputHelper output) : IDisposable
{
    private const int MessagesPerHour = 60;
    private static readonly string[] Tables = ["messages", "deliveries", "attempts"];
    private static readonly DeliveryLease Lease = new("tests", DateTimeOffset.MaxValue.AddYears(-1));

    private readonly HeraldApplication _herald = new HeraldApplication().WithFakeTime()
        .With("Herald:Retention:HistoryRetention", "1.00:00:00")
        .With("Herald:Retention:Interval", "1.00:00:00");

    public void Dispose() => _herald.Dispose();

    [Fact]
    public async Task SteadyLoad_PastTheRetentionWindow_TheTablesStopGrowing()
    {
        var store = _herald.Services.GetRequiredService<IHeraldStore>();
        var ids = _herald.Services.GetRequiredService<Ids>();
        var job = _herald.Services.GetRequiredService<RetentionJob>();
        var time = _herald.Time!;
        var application = new Application { Id = ids.New(Ids.Application), Name = "Load", CreatedAt = time.GetUtcNow(), UpdatedAt = time.GetUtcNow() };
        await store.CreateApplicationAsync(application, CancellationToken.None);
        var endpoint = new HeraldEndpoint
        {
            Id = ids.New(Ids.Endpoint),
            ApplicationId = application.Id,
            Url = "https://example.com/hook",
            CreatedAt = time.GetUtcNow(),
            UpdatedAt = time.GetUtcNow(),
        };
        await store.CreateEndpointAsync(endpoint, new EndpointSecretKey("whsec_" + Convert.ToBase64String(new byte[32]), time.GetUtcNow()), CancellationToken.None);
        // Random text: PostgreSQL compresses a repeated character to almost nothing, which would hide the payloads.
        var payload = Encoding.UTF8.GetBytes($$"""{"data":"{{Convert.ToBase64String(Random.Shared.GetItems<byte>(Enumerable.Range(0, 256).Select(b => (byte)b).ToArray(), 1500))}}"}""");
        await using var database = NpgsqlDataSource.Create(_herald.PostgresConnectionString!);
        var sizes = new SortedDictionary<int, long>();

        for (var hour = 1; hour <= 72; hour++)
        {
            await Task.WhenAll(Enumerable.Range(0, MessagesPerHour).Select(_ => PublishAndAttemptAsync(store, ids, application.Id, payload, time.GetUtcNow())));
            time.Advance(TimeSpan.FromHours(1));
            await job.RunOnceAsync(CancellationToken.None);
            foreach (var table in Tables)
            {
                await using var vacuum = database.CreateCommand($"VACUUM {table}");
                await vacuum.ExecuteNonQueryAsync();
            }

            if (hour % 12 == 0)
            {
                sizes[hour] = await SizeAsync(database);
                output.WriteLine($"hour {hour}: {sizes[hour]:N0} bytes");
            }
        }

        // Rows live 6 h (payload) and 24 h (history); from hour 36 on, every window deletes what it adds. Hour 12's size
        // varies from 2.9 to 4.3 MB between runs (concurrent inserts fill pages differently), so the guard that the
        // test measures growth at all asks only that the tables grew, as the SQLite twin does.
        Assert.True(sizes[24] > sizes[12], "the tables did not grow while nothing was old enough to delete");
        var steady = sizes[36];
        Assert.All(sizes.Where(s => s.Key > 36), s => Assert.True(s.Value <= steady + steady / 20, $"hour {s.Key}: {s.Value:N0} bytes, above {steady:N0} at hour 36"));
    }

    private static async Task PublishAndAttemptAsync(IHeraldStore store, Ids ids, string applicationId, byte[] payload, DateTimeOffset now)
    {
        var published = await store.PublishMessageAsync(new NewMessage
        {
            Id = ids.New(Ids.Message),
            ApplicationId = applicationId,
            EventType = "load.tick",
            Payload = payload,
            CreatedAt = now,
            PayloadExpiresAt = now + TimeSpan.FromHours(6),
        }, null, Lease, CancellationToken.None);
        var delivery = Assert.Single(published.Deliveries);
        await store.RecordAttemptAsync(new AttemptRecord
        {
            Id = ids.New(Ids.Attempt),
            ApplicationId = applicationId,
            DeliveryId = delivery.Id,
            MessageId = delivery.MessageId,
            EndpointId = delivery.EndpointId,
            Url = "https://example.com/hook",
            Status = MessageStatus.Success,
            Trigger = AttemptTrigger.Scheduled,
            ResponseStatusCode = 200,
            Response = new string('r', 500),
            ResponseDurationMs = 3,
            CreatedAt = now,
        }, new DeliveryTransition(MessageStatus.Success, null), CancellationToken.None);
    }

    /// <summary>pg_total_relation_size (heap, indexes, TOAST) of the tables the load writes.</summary>
    private static async Task<long> SizeAsync(NpgsqlDataSource database)
    {
        await using var command = database.CreateCommand(
            "SELECT sum(pg_total_relation_size(t::regclass))::bigint FROM unnest(@tables) AS t");
        command.Parameters.AddWithValue("tables", Tables);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
