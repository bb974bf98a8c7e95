using Herald.Server.Storage;
using Herald.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Herald.Server.Tests.Polling;

public sealed class PollerTests : IDisposable
{
    private readonly HeraldApplication _herald = new();
    private readonly HttpClient _client;

    public PollerTests() => _client = _herald.CreateAdminClient();

    public void Dispose() => _herald.Dispose();

    private async Task<string> SetUpAsync(JsonObject? destination = null)
    {
        await _client.CreateEventTypeAsync("order.created");
        await _client.CreateEventTypeAsync("order.shipped");
        await _client.CreateAppAsync("Shop", "shop");
        var body = destination ?? [];
        body["type"] = "pollingEndpoint";
        body["uid"] = "pull";
        var created = await (await _client.PostAsJsonAsync("/api/v1/app/shop/destination", body)).ReadObjectAsync(HttpStatusCode.Created);
        Assert.StartsWith("sink_", (string?)created["id"]);
        return (string)created["id"]!;
    }

    private async Task<JsonObject> PollAsync(string query = "") =>
        await (await _client.GetAsync($"/api/v1/app/shop/poller/pull{query}")).ReadObjectAsync(HttpStatusCode.OK);

    private static List<string> Ids(JsonObject page) => page["data"]!.AsArray().Select(m => (string)m!["id"]!).ToList();

    [Fact]
    public async Task Poll_ReturnsMatchingMessagesInCommitOrder_AndTheIteratorContinuesAfterThem()
    {
        await SetUpAsync(new JsonObject { ["eventTypes"] = new JsonArray("order.created") });
        var first = await _client.PublishAsync("shop", "order.created");
        await _client.PublishAsync("shop", "order.shipped");
        var second = await _client.PublishAsync("shop", "order.created");

        var page = await PollAsync();
        Assert.Equal([(string)first["id"]!, (string)second["id"]!], Ids(page));
        Assert.True((bool)page["done"]!);

        var third = await _client.PublishAsync("shop", "order.created");
        var next = await PollAsync($"?iterator={page["iterator"]}");
        Assert.Equal([(string)third["id"]!], Ids(next));
        Assert.Equal(42, (int)next["data"]![0]!["payload"]!["amount"]!);
    }

    [Fact]
    public async Task Poll_WithLimit_PagesThroughWithoutRepeats_AndFiltersByChannel()
    {
        await SetUpAsync();
        var published = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            published.Add((string)(await _client.PublishAsync("shop", "order.created", new JsonObject { ["channels"] = new JsonArray(i % 2 == 0 ? "even" : "odd") }))["id"]!);
        }

        var seen = new List<string>();
        string? iterator = null;
        bool done;
        do
        {
            var page = await PollAsync($"?limit=2{(iterator is null ? "" : $"&iterator={iterator}")}");
            seen.AddRange(Ids(page));
            iterator = (string?)page["iterator"];
            done = (bool)page["done"]!;
        }
        while (!done);

        Assert.Equal(published, seen);
        Assert.Equal([published[1], published[3]], Ids(await PollAsync("?channel=odd")));
    }

    [Fact]
    public async Task LongPoll_IsHeldUntilAMatchingMessageCommits()
    {
        await SetUpAsync(new JsonObject { ["eventTypes"] = new JsonArray("order.created") });
        var start = await PollAsync();

        var poll = _client.GetAsync($"/api/v1/app/shop/poller/pull?iterator={start["iterator"]}&wait=30s");
        await _client.PublishAsync("shop", "order.shipped"); // does not match: the poll keeps waiting
        await Task.Delay(300);
        Assert.False(poll.IsCompleted, "The long-poll answered although nothing matching had been published.");
        var message = await _client.PublishAsync("shop", "order.created");

        var page = await (await poll).ReadObjectAsync(HttpStatusCode.OK);
        Assert.Equal([(string)message["id"]!], Ids(page));
    }

    [Fact]
    public async Task LongPoll_WaitOverTheCap_Returns422()
    {
        await SetUpAsync();
        var response = await _client.GetAsync("/api/v1/app/shop/poller/pull?wait=10m");
        var body = await response.AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");
        Assert.Equal("out_of_range", (string?)body["detail"]![0]!["type"]);
    }

    [Fact]
    public async Task FiftyConcurrentPublishers_AConsumerSeesEveryMessageOnce_InSequenceOrder()
    {
        await SetUpAsync();
        const int publishers = 50, each = 6;
        var publishing = Task.WhenAll(Enumerable.Range(0, publishers).Select(p => Task.Run(async () =>
        {
            using var client = _herald.CreateAdminClient();
            var ids = new List<string>();
            for (var i = 0; i < each; i++)
            {
                ids.Add((string)(await client.PublishAsync("shop", "order.created"))["id"]!);
            }

            return ids;
        })));

        // The consumer reads while publishers are still committing, committing its cursor as it goes.
        var seen = new List<string>();
        string? iterator = null;
        while (seen.Count < publishers * each)
        {
            var page = await (await _client.GetAsync($"/api/v1/app/shop/poller/pull/consumer/reader?limit=7&wait=5s{(iterator is null ? "" : $"&iterator={iterator}")}"))
                .ReadObjectAsync(HttpStatusCode.OK);
            seen.AddRange(Ids(page));
            iterator = (string?)page["iterator"];
        }

        var published = (await publishing).SelectMany(ids => ids).ToHashSet();
        Assert.Equal(publishers * each, seen.Count);
        Assert.Equal(published, seen.ToHashSet());
        var store = _herald.Services.GetRequiredService<IHeraldStore>();
        var application = await store.GetApplicationAsync("shop", CancellationToken.None);
        var sequences = new List<long>();
        foreach (var id in seen)
        {
            sequences.Add((await store.GetMessageAsync(application!.Id, id, CancellationToken.None))!.Sequence);
        }

        Assert.Equal(Enumerable.Range(1, publishers * each).Select(i => (long)i), sequences);
    }

    [Fact]
    public async Task Consumer_ResumesFromItsCommittedCursor_AndSeekMovesIt()
    {
        await SetUpAsync();
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((string)(await _client.PublishAsync("shop", "order.created"))["id"]!);
        }

        var first = await (await _client.GetAsync("/api/v1/app/shop/poller/pull/consumer/c1?limit=2")).ReadObjectAsync(HttpStatusCode.OK);
        Assert.Equal(ids[..2], Ids(first));
        // Not committed yet: the same read again gives the same messages (at least once).
        var again = await (await _client.GetAsync("/api/v1/app/shop/poller/pull/consumer/c1?limit=2")).ReadObjectAsync(HttpStatusCode.OK);
        Assert.Equal(ids[..2], Ids(again));

        var commit = await _client.PostAsJsonAsync("/api/v1/app/shop/poller/pull/consumer/c1/commit", new { iterator = (string)first["iterator"]! });
        Assert.Equal(HttpStatusCode.NoContent, commit.StatusCode);
        var rest = await (await _client.GetAsync("/api/v1/app/shop/poller/pull/consumer/c1")).ReadObjectAsync(HttpStatusCode.OK);
        Assert.Equal([ids[2]], Ids(rest));

        var seek = await (await _client.PostAsJsonAsync("/api/v1/app/shop/poller/pull/consumer/c1/seek", new { after = "2000-01-01T00:00:00Z" }))
            .ReadObjectAsync(HttpStatusCode.OK);
        Assert.Equal("0", (string?)seek["iterator"]);
        Assert.Equal(ids, Ids(await (await _client.GetAsync("/api/v1/app/shop/poller/pull/consumer/c1")).ReadObjectAsync(HttpStatusCode.OK)));
        // Another consumer has its own cursor.
        Assert.Equal(ids, Ids(await (await _client.GetAsync("/api/v1/app/shop/poller/pull/consumer/c2")).ReadObjectAsync(HttpStatusCode.OK)));
    }

    [Theory]
    [InlineData("?iterator=abc")]
    [InlineData("?limit=0")]
    [InlineData("?after=yesterday")]
    public async Task Poll_BadQuery_Returns422(string query)
    {
        await SetUpAsync();
        await (await _client.GetAsync($"/api/v1/app/shop/poller/pull{query}")).AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");
    }

    [Fact]
    public async Task Destination_OfAnUnsupportedType_Returns422_AndUnknownSinkReturns404()
    {
        await _client.CreateAppAsync("Shop", "shop");
        var response = await _client.PostAsJsonAsync("/api/v1/app/shop/destination", new { type = "amazonS3", config = new { bucket = "b" } });
        var body = await response.AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");
        Assert.Equal("unsupported_destination_type", (string?)body["detail"]![0]!["type"]);
        await (await _client.GetAsync("/api/v1/app/shop/poller/nope")).AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task AppToken_CannotReadAnotherApplicationsPoller()
    {
        await SetUpAsync();
        await _client.CreateAppAsync("Other", "other");
        var access = await (await _client.PostAsJsonAsync("/api/v1/auth/app-portal-access/other", new { })).ReadObjectAsync(HttpStatusCode.OK);
        using var otherClient = _herald.CreateClient((string)access["token"]!);

        await (await otherClient.GetAsync("/api/v1/app/shop/poller/pull")).AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
        await (await otherClient.GetAsync("/api/v1/app/shop/poller/pull/stream")).AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
        await (await otherClient.GetAsync("/api/v1/app/shop/destination")).AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
    }
}
