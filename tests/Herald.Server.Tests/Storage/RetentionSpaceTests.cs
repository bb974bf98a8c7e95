using System.Text;
using Herald.Server.Common;
using Herald.Server.Applications;
using Herald.Server.Delivery;
using Herald.Server.Endpoints;
using Herald.Server.Messages;
using Herald.Server.Retention;
using Herald.Server.Storage;
using Herald.Server.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Herald.Server.Tests.Storage;

/// <summary>
/// Space is reused (SQLite): under a steady load — messages with payloads, a delivery and an attempt each — and a fake
/// clock running past the retention, the database file (plus its WAL after a checkpoint) stops growing once the first
/// history window has passed. The rows the retention job deletes free pages onto SQLite's freelist, and later inserts
/// take those pages before the file is extended.
/// </summary>
public sealed class RetentionSpaceTests(ITestOutputHelper output) : IDisposable
{
    private const int MessagesPerHour = 60;
    private static readonly DeliveryLease Lease = new("tests", DateTimeOffset.MaxValue.AddYears(-1));

    private readonly HeraldApplication _herald = new HeraldApplication().WithFakeTime()
        .With("Herald:Retention:HistoryRetention", "1.00:00:00")
        .With("Herald:Retention:Interval", "1.00:00:00");

    public void Dispose() => _herald.Dispose();

    [Fact]
    public async Task SteadyLoad_PastTheRetentionWindow_TheDatabaseStopsGrowing()
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
        var payload = Encoding.UTF8.GetBytes($$"""{"data":"{{new string('x', 2000)}}"}""");
        var sizes = new SortedDictionary<int, long>();

        for (var hour = 1; hour <= 72; hour++)
        {
            await Task.WhenAll(Enumerable.Range(0, MessagesPerHour).Select(_ => PublishAndAttemptAsync(store, ids, application.Id, payload, time.GetUtcNow())));
            time.Advance(TimeSpan.FromHours(1));
            await job.RunOnceAsync(CancellationToken.None);
            if (hour % 12 == 0)
            {
                sizes[hour] = Size();
                output.WriteLine($"hour {hour}: {sizes[hour]:N0} bytes");
            }
        }

        // Rows live 6 h (payload) and 24 h (history); from hour 36 on, every window deletes what it adds.
        Assert.True(sizes[24] > sizes[12], "the database grew while nothing was old enough to delete");
        var steady = sizes[36];
        Assert.All(sizes.Where(s => s.Key > 36), s => Assert.True(s.Value <= steady + steady / 50, $"hour {s.Key}: {s.Value:N0} bytes, above {steady:N0} at hour 36"));
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

    /// <summary>The database file plus its WAL, after a checkpoint moved the WAL's pages into the file.</summary>
    private long Size()
    {
        var path = Path.Combine(_herald.DataDirectory, "herald.db");
        using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString()))
        {
            connection.Open();
            using var checkpoint = connection.CreateCommand();
            checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
            checkpoint.ExecuteNonQuery();
        }

        var wal = new FileInfo(path + "-wal");
        return new FileInfo(path).Length + (wal.Exists ? wal.Length : 0);
    }
}
