using Herald.Server.Common;
using Herald.Server.Delivery;
using Herald.Server.Messages;
using Herald.Server.Storage;
using Herald.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Herald.Server.Tests.Messages;

/// <summary>
/// The message list follows the application's log order (the sequence, handed out in commit order), and its iterator
/// is a message id: an iterator never skips a message that committed after the page was read, and an iterator whose
/// message retention has deleted sorts before every message kept.
/// </summary>
public sealed class MessageListOrderTests : IDisposable
{
    private static readonly DeliveryLease Lease = new("tests", DateTimeOffset.MaxValue.AddYears(-1));

    private readonly HeraldApplication _herald = new HeraldApplication().WithFakeTime();
    private readonly HttpClient _client;

    public MessageListOrderTests() => _client = _herald.CreateAdminClient();

    public void Dispose() => _herald.Dispose();

    [Fact]
    public async Task AscendingWalk_MessageWithSmallerIdCommittedAfterThePage_IsOnTheNextPage()
    {
        var appId = (string)(await _client.CreateAppAsync())["id"]!;
        var store = _herald.Services.GetRequiredService<IMessageStore>();
        var ids = _herald.Services.GetRequiredService<Ids>();
        // Two publishes that raced: the one whose id was made first commits last.
        var earlier = ids.New(Ids.Message);
        var later = ids.New(Ids.Message);
        await PublishAsync(store, appId, later);

        var first = await ListAsync($"/api/v1/app/{appId}/msg?order=ascending&limit=10");
        Assert.Equal([later], IdsOf(first));
        await PublishAsync(store, appId, earlier);

        var next = await ListAsync($"/api/v1/app/{appId}/msg?order=ascending&limit=10&iterator={(string)first["iterator"]!}");
        Assert.Equal([earlier], IdsOf(next));
        var newestFirst = await ListAsync($"/api/v1/app/{appId}/msg?limit=10");
        Assert.Equal([earlier, later], IdsOf(newestFirst));
    }

    [Fact]
    public async Task Iterator_MessageDeletedByRetention_SortsBeforeEveryMessageKept()
    {
        var appId = (string)(await _client.CreateAppAsync())["id"]!;
        var time = _herald.Time!;
        var old = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            old.Add((string)(await _client.PublishAsync(appId))["id"]!);
        }

        var cutOff = time.GetUtcNow().AddMinutes(1);
        time.Advance(TimeSpan.FromMinutes(2));
        var kept = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            kept.Add((string)(await _client.PublishAsync(appId))["id"]!);
        }

        var oldestPage = await ListAsync($"/api/v1/app/{appId}/msg?order=ascending&limit=2");
        Assert.Equal(old[..2], IdsOf(oldestPage));
        var descendingIterator = (string)(await ListAsync($"/api/v1/app/{appId}/msg?limit=5"))["iterator"]!;
        Assert.Equal(old[1], descendingIterator);

        // Retention deletes only messages whose payload is gone and that have nothing left to deliver.
        foreach (var id in old)
        {
            Assert.Equal(HttpStatusCode.NoContent, (await _client.DeleteAsync($"/api/v1/app/{appId}/msg/{id}/content")).StatusCode);
        }

        var deleted = await _herald.Services.GetRequiredService<IRetentionStore>().DeleteHistoryAsync(cutOff, 100, CancellationToken.None);
        Assert.Equal(3, deleted.Messages);

        var ascending = await ListAsync($"/api/v1/app/{appId}/msg?order=ascending&limit=10&iterator={(string)oldestPage["iterator"]!}");
        Assert.Equal(kept, IdsOf(ascending));
        Assert.True((bool)ascending["done"]!);
        var descending = await ListAsync($"/api/v1/app/{appId}/msg?limit=10&iterator={descendingIterator}");
        Assert.Empty(IdsOf(descending));
        Assert.True((bool)descending["done"]!);
    }

    private async Task<JsonObject> ListAsync(string url) => await (await _client.GetAsync(url)).ReadObjectAsync(HttpStatusCode.OK);

    private static List<string> IdsOf(JsonObject page) => page["data"]!.AsArray().Select(m => (string)m!["id"]!).ToList();

    private Task PublishAsync(IMessageStore store, string appId, string id) =>
        store.PublishMessageAsync(new NewMessage
        {
            Id = id,
            ApplicationId = appId,
            EventType = "invoice.paid",
            Payload = """{"n":1}"""u8.ToArray(),
            CreatedAt = _herald.Time!.GetUtcNow(),
        }, null, Lease, CancellationToken.None);
}
