using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.Api;

/// <summary>
/// Cursor pagination of every collection: <c>iterator</c> is the key of a page's last item, <c>prevIterator</c>
/// is "-" + the key of its first item, <c>done</c> says nothing more lies in the direction of travel.
/// </summary>
public sealed class PaginationTests : IDisposable
{
    private const int ItemCount = 7;
    private const int PageSize = 3;

    private readonly HeraldApplication _herald = new();
    private readonly HttpClient _client;

    public PaginationTests() => _client = _herald.CreateAdminClient();

    public void Dispose() => _herald.Dispose();

    public static TheoryData<string> Collections => ["applications", "endpoints", "event-types", "messages"];

    /// <summary>A collection filled with <see cref="ItemCount"/> items: its URL, the field that keys it, and its items in default list order.</summary>
    private sealed record Collection(string Url, string KeyField, IReadOnlyList<string> DefaultOrder);

    private Task<Collection> FillAsync(string kind) => kind switch
    {
        "applications" => FillApplicationsAsync(),
        "endpoints" => FillEndpointsAsync(),
        "event-types" => FillEventTypesAsync(),
        "messages" => FillMessagesAsync(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    private async Task<Collection> FillApplicationsAsync()
    {
        var ids = new List<string>();
        for (var i = 0; i < ItemCount; i++)
        {
            ids.Add((string)(await _client.CreateAppAsync($"App {i}"))["id"]!);
        }

        return new Collection("/api/v1/app", "id", ids);
    }

    private async Task<Collection> FillEndpointsAsync()
    {
        var appId = (string)(await _client.CreateAppAsync())["id"]!;
        var ids = new List<string>();
        for (var i = 0; i < ItemCount; i++)
        {
            ids.Add((string)(await _client.CreateEndpointAsync(appId, $"https://example.com/hook/{i}"))["id"]!);
        }

        return new Collection($"/api/v1/app/{appId}/endpoint", "id", ids);
    }

    private async Task<Collection> FillEventTypesAsync()
    {
        // Created out of order: the list is ordered by name, not by creation.
        string[] names = ["user.deleted", "invoice.paid", "user.created", "a.first", "invoice.failed", "z.last", "order.shipped"];
        foreach (var name in names)
        {
            await _client.CreateEventTypeAsync(name);
        }

        return new Collection("/api/v1/event-type", "name", names.Order(StringComparer.Ordinal).ToList());
    }

    private async Task<Collection> FillMessagesAsync()
    {
        var appId = (string)(await _client.CreateAppAsync())["id"]!;
        var ids = new List<string>();
        for (var i = 0; i < ItemCount; i++)
        {
            ids.Add((string)(await _client.PublishAsync(appId))["id"]!);
        }

        // Messages are listed newest first.
        ids.Reverse();
        return new Collection($"/api/v1/app/{appId}/msg", "id", ids);
    }

    private async Task<JsonObject> GetPageAsync(string url, string query, string? iterator = null)
    {
        var iteratorQuery = iterator is null ? "" : "&iterator=" + Uri.EscapeDataString(iterator);
        return await (await _client.GetAsync($"{url}?limit={PageSize}{query}{iteratorQuery}")).ReadObjectAsync(HttpStatusCode.OK);
    }

    private static List<string> Keys(JsonObject page, string keyField) =>
        page["data"]!.AsArray().Select(item => (string)item![keyField]!).ToList();

    /// <summary>Follows <c>iterator</c> from the first page until <c>done</c>; returns every page in order.</summary>
    private async Task<List<JsonObject>> WalkForwardAsync(Collection collection, string query = "")
    {
        var pages = new List<JsonObject> { await GetPageAsync(collection.Url, query) };
        while (!(bool)pages[^1]["done"]!)
        {
            Assert.True(pages.Count <= ItemCount, "forward paging does not end");
            pages.Add(await GetPageAsync(collection.Url, query, (string)pages[^1]["iterator"]!));
        }

        return pages;
    }

    [Theory]
    [MemberData(nameof(Collections))]
    public async Task Forward_WithIterator_ReturnsEveryItemOnceInDefaultOrder(string kind)
    {
        var collection = await FillAsync(kind);

        var pages = await WalkForwardAsync(collection);

        Assert.Equal(collection.DefaultOrder, pages.SelectMany(p => Keys(p, collection.KeyField)));
        Assert.Equal([3, 3, 1], pages.Select(p => p["data"]!.AsArray().Count));
        foreach (var page in pages)
        {
            var keys = Keys(page, collection.KeyField);
            Assert.Equal(keys[^1], (string?)page["iterator"]);
            Assert.Equal("-" + keys[0], (string?)page["prevIterator"]);
        }
    }

    [Theory]
    [MemberData(nameof(Collections))]
    public async Task Backward_FromLastPageWithPrevIterator_ReturnsEveryItemOnceInSameOrder(string kind)
    {
        var collection = await FillAsync(kind);
        var last = (await WalkForwardAsync(collection))[^1];

        var pages = new List<JsonObject> { last };
        while (true)
        {
            var previous = await GetPageAsync(collection.Url, "", (string)pages[0]["prevIterator"]!);
            pages.Insert(0, previous);
            if ((bool)previous["done"]!)
            {
                break;
            }

            Assert.True(pages.Count <= ItemCount, "backward paging does not end");
        }

        Assert.Equal(collection.DefaultOrder, pages.SelectMany(p => Keys(p, collection.KeyField)));
        Assert.Equal([3, 3, 1], pages.Select(p => p["data"]!.AsArray().Count));
    }

    [Theory]
    [InlineData("applications", "descending")]
    [InlineData("endpoints", "descending")]
    [InlineData("event-types", "descending")]
    [InlineData("messages", "ascending")]
    public async Task Order_OppositeOfDefault_ReversesTheListAcrossPages(string kind, string order)
    {
        var collection = await FillAsync(kind);

        var pages = await WalkForwardAsync(collection, $"&order={order}");

        Assert.Equal(collection.DefaultOrder.Reverse(), pages.SelectMany(p => Keys(p, collection.KeyField)));
    }

    [Theory]
    [InlineData("applications", "ascending")]
    [InlineData("messages", "descending")]
    public async Task Order_SameAsDefault_KeepsDefaultOrder(string kind, string order)
    {
        var collection = await FillAsync(kind);

        var pages = await WalkForwardAsync(collection, $"&order={order}");

        Assert.Equal(collection.DefaultOrder, pages.SelectMany(p => Keys(p, collection.KeyField)));
    }

    [Fact]
    public async Task Backward_InDescendingOrder_ReturnsPreviousPage()
    {
        var collection = await FillAsync("applications");
        var descending = collection.DefaultOrder.Reverse().ToList();
        var second = (await WalkForwardAsync(collection, "&order=descending"))[1];

        var first = await GetPageAsync(collection.Url, "&order=descending", (string)second["prevIterator"]!);

        Assert.Equal(descending.Take(3), Keys(first, "id"));
        Assert.True((bool)first["done"]!);
    }

    [Fact]
    public async Task EventTypes_NamesStartingWithDash_PageForwardAndBackwardEachOnce()
    {
        // "-b" as a bare iterator would read as "backward from b": a client paging until done would loop.
        string[] names = ["-a", "-b", "c", "d"];
        foreach (var name in names)
        {
            await _client.CreateEventTypeAsync(name);
        }

        var forward = new List<string>();
        var page = await (await _client.GetAsync("/api/v1/event-type?limit=1")).ReadObjectAsync(HttpStatusCode.OK);
        forward.AddRange(Keys(page, "name"));
        while (!(bool)page["done"]!)
        {
            Assert.True(forward.Count <= names.Length, $"forward paging does not end: {string.Join(", ", forward)}");
            page = await (await _client.GetAsync($"/api/v1/event-type?limit=1&iterator={Uri.EscapeDataString((string)page["iterator"]!)}")).ReadObjectAsync(HttpStatusCode.OK);
            forward.AddRange(Keys(page, "name"));
        }

        var backward = new List<string>(Keys(page, "name"));
        while (true)
        {
            page = await (await _client.GetAsync($"/api/v1/event-type?limit=1&iterator={Uri.EscapeDataString((string)page["prevIterator"]!)}")).ReadObjectAsync(HttpStatusCode.OK);
            backward.InsertRange(0, Keys(page, "name"));
            if ((bool)page["done"]!)
            {
                break;
            }

            Assert.True(backward.Count <= names.Length, $"backward paging does not end: {string.Join(", ", backward)}");
        }

        Assert.Equal(names, forward);
        Assert.Equal(names, backward);
    }

    [Fact]
    public async Task Limit_Default_Is50()
    {
        for (var i = 0; i < 51; i++)
        {
            await _client.CreateEventTypeAsync($"event.{i:D2}");
        }

        var page = await (await _client.GetAsync("/api/v1/event-type")).ReadObjectAsync(HttpStatusCode.OK);
        var max = await (await _client.GetAsync("/api/v1/event-type?limit=250")).ReadObjectAsync(HttpStatusCode.OK);

        Assert.Equal(50, page["data"]!.AsArray().Count);
        Assert.False((bool)page["done"]!);
        Assert.Equal(51, max["data"]!.AsArray().Count);
        Assert.True((bool)max["done"]!);
    }

    [Theory]
    [MemberData(nameof(Collections))]
    public async Task Limit_OutOfRangeOrNotANumber_Returns422(string kind)
    {
        var url = await ListUrlAsync(kind);

        foreach (var limit in new[] { "251", "0", "-1", "abc" })
        {
            var error = await (await _client.GetAsync($"{url}?limit={limit}")).AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");
            Assert.Equal(["query", "limit"], error["detail"]![0]!["loc"]!.AsArray().Select(n => (string?)n));
        }
    }

    [Theory]
    [InlineData("applications", "garbage")]
    [InlineData("applications", "-garbage")]
    [InlineData("endpoints", "garbage")]
    [InlineData("messages", "garbage")]
    [InlineData("messages", "ep_0000000000000000000000")]
    [InlineData("event-types", "not a name")]
    public async Task Iterator_MadeUp_Returns422InvalidIterator(string kind, string iterator)
    {
        var url = await ListUrlAsync(kind);

        var error = await (await _client.GetAsync($"{url}?iterator={Uri.EscapeDataString(iterator)}"))
            .AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");

        Assert.Equal("invalid_iterator", (string?)error["detail"]![0]!["type"]);
    }

    [Fact]
    public async Task Order_Unknown_Returns422()
    {
        await (await _client.GetAsync("/api/v1/app?order=sideways")).AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");
    }

    [Fact]
    public async Task EmptyList_IsDoneWithoutIterators()
    {
        var page = await (await _client.GetAsync("/api/v1/app")).ReadObjectAsync(HttpStatusCode.OK);

        Assert.Empty(page["data"]!.AsArray());
        Assert.True((bool)page["done"]!);
        Assert.Null(page["iterator"]);
        Assert.Null(page["prevIterator"]);
    }

    private async Task<string> ListUrlAsync(string kind)
    {
        if (kind is "applications" or "event-types")
        {
            return kind == "applications" ? "/api/v1/app" : "/api/v1/event-type";
        }

        var appId = (string)(await _client.CreateAppAsync())["id"]!;
        return kind == "endpoints" ? $"/api/v1/app/{appId}/endpoint" : $"/api/v1/app/{appId}/msg";
    }
}
