using System.Text;
using Herald.Server.Common;
using Herald.Server.Applications;
using Herald.Server.Messages;
using Herald.Server.Polling;
using Herald.Server.Storage;
using Herald.Server.Storage.Sqlite;
using Herald.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Herald.Server.Tests.Storage;

/// <summary>
/// SQLite commits a group before its WAL is fsynced (by another thread): a write is reported only once synced, and the
/// pull log never hands out a sequence that is committed but not yet on disk.
/// </summary>
public sealed class WalSyncTests : IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly LogFilter All = new(null, null, null, null);
    private readonly HeraldApplication _herald = new();
    private readonly SqliteStore _store;
    private readonly Ids _ids;

    public WalSyncTests()
    {
        _store = (SqliteStore)_herald.Services.GetRequiredService<IHeraldStore>();
        _ids = _herald.Services.GetRequiredService<Ids>();
    }

    public void Dispose() => _herald.Dispose();

    private NewMessage Message(string applicationId) => new()
    {
        Id = _ids.New(Ids.Message),
        ApplicationId = applicationId,
        EventType = "invoice.paid",
        Payload = Encoding.UTF8.GetBytes("""{"amount":42}"""),
        CreatedAt = DateTimeOffset.UtcNow,
    };

    [Fact]
    public async Task A_publish_is_reported_only_once_synced_and_the_log_ends_at_the_last_synced_sequence()
    {
        var now = DateTimeOffset.UtcNow;
        var application = new Application { Id = _ids.New(Ids.Application), Name = "Acme", CreatedAt = now, UpdatedAt = now };
        await _store.CreateApplicationAsync(application, None);
        var lease = new Herald.Server.Delivery.DeliveryLease("tests", now.AddHours(1));
        await _store.PublishMessageAsync(Message(application.Id), null, lease, None);

        using var disk = new ManualResetEventSlim(false);
        _store.Syncer.BeforeSync = () => disk.Wait(TimeSpan.FromSeconds(30));
        var second = Message(application.Id);
        var publishing = _store.PublishMessageAsync(second, null, lease, None);
        while (await _store.GetMessageAsync(application.Id, second.Id, None) is null) // Committed: visible to reads.
        {
            await Task.Delay(10);
        }

        var whileSyncing = await _store.ReadLogAsync(application.Id, 0, All, 10, long.MaxValue, None);
        var positionWhileSyncing = await _store.LogPositionAtAsync(application.Id, DateTimeOffset.UtcNow.AddMinutes(1), None);
        var reportedEarly = publishing.IsCompleted;
        disk.Set();
        var published = await publishing;
        var afterSync = await _store.ReadLogAsync(application.Id, 0, All, 10, long.MaxValue, None);

        Assert.False(reportedEarly);
        Assert.Equal([1L], whileSyncing.Messages.Select(m => m.Sequence));
        Assert.Equal(1, whileSyncing.Position);
        Assert.True(whileSyncing.Done);
        Assert.Equal(1, positionWhileSyncing);
        Assert.Equal(2, await _store.LogPositionAtAsync(application.Id, DateTimeOffset.UtcNow.AddMinutes(1), None));
        Assert.Equal(2, published.Message.Sequence);
        Assert.Equal([1L, 2L], afterSync.Messages.Select(m => m.Sequence));
        Assert.Equal(2, afterSync.Position);
    }
}
