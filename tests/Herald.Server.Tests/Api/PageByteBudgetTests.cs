using Herald.Server.Tests.Delivery;
using Herald.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace Herald.Server.Tests.Api;

/// <summary>
/// Pages are bounded in bytes as well as in items (Herald:Api:PageByteBudget): a page of big contents ends early with
/// done=false, and its iterator continues with nothing skipped or repeated. Here the budget is 64 KiB and each content
/// about 20 KB, so a page holds three.
/// </summary>
public sealed class PageByteBudgetTests : IAsyncLifetime
{
    private const int Budget = 64 * 1024;
    private const int ContentBytes = 20_000;
    private const int Messages = 10;

    private readonly HeraldApplication _herald = DeliveryTestKit.LoopbackHerald().With("Herald:Api:PageByteBudget", Budget.ToString(System.Globalization.CultureInfo.InvariantCulture));
    private HttpClient _client = null!;
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync()
    {
        _receiver = await WebhookReceiver.StartAsync();
        _client = _herald.CreateAdminClient();
        await _client.CreateAppAsync("Shop", "shop");
        await (await _client.PostAsJsonAsync("/api/v1/app/shop/destination", new { type = "pollingEndpoint", uid = "pull" })).ReadObjectAsync(HttpStatusCode.Created);
    }

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        _herald.Dispose();
    }

    private async Task<List<string>> PublishAsync(int count = Messages, int bytes = ContentBytes)
    {
        var ids = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var payload = new JsonObject { ["n"] = i, ["blob"] = new string('x', bytes) };
            ids.Add((string)(await _client.PublishAsync("shop", "order.created", new JsonObject { ["payload"] = payload }))["id"]!);
        }

        return ids;
    }

    /// <summary>Follows <c>iterator</c> from <paramref name="firstPage"/> until done; returns each page's ids.</summary>
    private async Task<List<List<string>>> WalkAsync(string firstPage, string idField = "id")
    {
        var pages = new List<List<string>>();
        var url = firstPage;
        while (true)
        {
            var page = await (await _client.GetAsync(url)).ReadObjectAsync(HttpStatusCode.OK);
            var ids = page["data"]!.AsArray().Select(i => (string)i![idField]!).ToList();
            pages.Add(ids);
            if ((bool)page["done"]!)
            {
                return pages;
            }

            Assert.NotEmpty(ids);
            Assert.True(pages.Count <= Messages, "The pages never end.");
            url = $"{firstPage}&iterator={Uri.EscapeDataString((string)page["iterator"]!)}";
        }
    }

    private static void AssertBudgetedPages(List<List<string>> pages, IEnumerable<string> expected)
    {
        Assert.True(pages[0].Count is > 0 and < Messages, $"The first page held {pages[0].Count} of {Messages} items: the budget did not end it.");
        Assert.All(pages.Take(pages.Count - 1), p => Assert.True(p.Count * ContentBytes <= Budget, $"A page of {p.Count} items is over the budget."));
        Assert.Equal(expected, pages.SelectMany(p => p));
    }

    [Fact]
    public async Task MessageList_WithContent_StopsAtTheBudget_AndTheIteratorContinuesWithoutGapOrRepeat()
    {
        var published = await PublishAsync();

        var pages = await WalkAsync("/api/v1/app/shop/msg?limit=250&with_content=true");

        AssertBudgetedPages(pages, Enumerable.Reverse(published));
    }

    [Fact]
    public async Task MessageList_PrevIteratorOfABudgetedPage_ReturnsTheItemsRightBeforeIt()
    {
        var published = await PublishAsync();
        var first = await (await _client.GetAsync("/api/v1/app/shop/msg?limit=250")).ReadObjectAsync(HttpStatusCode.OK);
        var second = await (await _client.GetAsync($"/api/v1/app/shop/msg?limit=250&iterator={first["iterator"]}")).ReadObjectAsync(HttpStatusCode.OK);

        var back = await (await _client.GetAsync($"/api/v1/app/shop/msg?limit=250&iterator={second["prevIterator"]}")).ReadObjectAsync(HttpStatusCode.OK);

        var firstIds = first["data"]!.AsArray().Select(m => (string)m!["id"]!).ToList();
        Assert.Equal(firstIds, back["data"]!.AsArray().Select(m => (string)m!["id"]!));
        Assert.Equal(Enumerable.Reverse(published).Take(firstIds.Count), firstIds);
    }

    [Fact]
    public async Task MessageList_WithoutContent_IsNotCutByTheBudget()
    {
        var published = await PublishAsync();

        var page = await (await _client.GetAsync("/api/v1/app/shop/msg?limit=250&with_content=false")).ReadObjectAsync(HttpStatusCode.OK);

        Assert.True((bool)page["done"]!);
        Assert.Equal(Enumerable.Reverse(published), page["data"]!.AsArray().Select(m => (string)m!["id"]!));
        Assert.All(page["data"]!.AsArray(), m => Assert.Equal("{}", m!["payload"]!.ToJsonString()));
    }

    [Fact]
    public async Task MessageList_AMessageBiggerThanTheBudget_IsStillReturned_OnePerPage()
    {
        var published = await PublishAsync(count: 2, bytes: Budget * 2);

        var pages = await WalkAsync("/api/v1/app/shop/msg?limit=250");

        Assert.Equal([[published[1]], [published[0]]], pages);
    }

    [Fact]
    public async Task Poller_StopsAtTheBudget_AndTheIteratorContinuesWithoutGapOrRepeat()
    {
        var published = await PublishAsync();

        var pages = await WalkAsync("/api/v1/app/shop/poller/pull?limit=250");

        // The poller's last page is an empty one at the end of the log.
        AssertBudgetedPages([.. pages.Where(p => p.Count > 0)], published);
    }

    [Fact]
    public async Task PollerConsumer_StopsAtTheBudget_AndCommittingTheIteratorContinuesWithoutGapOrRepeat()
    {
        var published = await PublishAsync();
        var read = new List<List<string>>();
        string? iterator = null;
        while (true)
        {
            var page = await (await _client.GetAsync($"/api/v1/app/shop/poller/pull/consumer/c1?limit=250{(iterator is null ? "" : $"&iterator={iterator}")}"))
                .ReadObjectAsync(HttpStatusCode.OK);
            read.Add([.. page["data"]!.AsArray().Select(m => (string)m!["id"]!)]);
            iterator = (string)page["iterator"]!;
            if ((bool)page["done"]!)
            {
                break;
            }
        }

        AssertBudgetedPages([.. read.Where(p => p.Count > 0)], published);
    }

    [Fact]
    public async Task AttemptAndEndpointMessageLists_StopAtTheBudget_AndTheIteratorContinuesWithoutGapOrRepeat()
    {
        var body = new string('r', ContentBytes);
        _receiver.Respond = (_, context) =>
        {
            context.Response.StatusCode = 200;
            return context.Response.WriteAsync(body);
        };
        var endpoint = (string)(await _client.CreateEndpointAsync("shop", _receiver.Url()))["id"]!;
        var published = await PublishAsync();
        await _receiver.WaitForAsync(Messages);
        await WaitForAttemptsAsync(endpoint);

        var attempts = await WalkAsync($"/api/v1/app/shop/attempt/endpoint/{endpoint}?limit=250");
        var attempted = await WalkAsync($"/api/v1/app/shop/attempt/endpoint/{endpoint}?limit=250", idField: "msgId");
        var messages = await WalkAsync($"/api/v1/app/shop/endpoint/{endpoint}/msg?limit=250");

        // Attempts are listed by attempt id, and sends run concurrently: each message once, in some order.
        AssertBudgetedPages(attempts, attempts.SelectMany(p => p).Distinct());
        AssertBudgetedPages(attempted, attempted.SelectMany(p => p).Distinct());
        Assert.Equal(published.Order(StringComparer.Ordinal), attempted.SelectMany(p => p).Order(StringComparer.Ordinal));
        AssertBudgetedPages(messages, Enumerable.Reverse(published));
    }

    private async Task WaitForAttemptsAsync(string endpoint)
    {
        // Attempts are written in batches after the sends: wait until the log holds them all.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while ((await (await _client.GetAsync($"/api/v1/app/shop/attempt/endpoint/{endpoint}?limit=250&with_content=false"))
            .ReadObjectAsync(HttpStatusCode.OK))["data"]!.AsArray().Count < Messages)
        {
            await Task.Delay(50, timeout.Token);
        }
    }
}
