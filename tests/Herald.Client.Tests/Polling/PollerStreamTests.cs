using Herald.Client.Tests.Infrastructure;
using Herald.Server.Tests.Infrastructure;

namespace Herald.Client.Tests.Polling;

public sealed class PollerStreamTests : IDisposable
{
    private readonly HeraldApplication _server = new();
    private readonly HeraldClient _herald;

    public PollerStreamTests() => _herald = _server.CreateHeraldClient();

    public void Dispose()
    {
        _herald.Dispose();
        _server.Dispose();
    }

    private async Task SetUpAsync()
    {
        await _herald.CreateShopAsync("order.created", "order.shipped");
        await _herald.PollingEndpoints.CreateAsync("shop", new PollingEndpointIn { Uid = "pull" });
    }

    private static async Task<List<PolledMessage>> TakeAsync(IAsyncEnumerator<PolledMessage> stream, int count)
    {
        var messages = new List<PolledMessage>();
        while (messages.Count < count && await stream.MoveNextAsync())
        {
            messages.Add(stream.Current);
        }

        return messages;
    }

    [Fact]
    public async Task Stream_DeliversMessagesPublishedAfterSubscribing_AndResumesAfterTheLastEventId()
    {
        await SetUpAsync();
        var timeout = TestEnvironment.Timeout();
        var published = new List<string>();

        var stream = _herald.Poller.StreamAsync("shop", "pull", lastEventId: null, timeout).GetAsyncEnumerator(timeout);
        var first = stream.MoveNextAsync();
        published.Add((await _herald.PublishAsync("shop", "order.created")).Id);
        published.Add((await _herald.PublishAsync("shop", "order.shipped")).Id);
        Assert.True(await first);
        var received = new List<PolledMessage> { stream.Current };
        received.AddRange(await TakeAsync(stream, 1));
        await stream.DisposeAsync();

        Assert.Equal(published, received.Select(m => m.Id));
        Assert.All(received, m => Assert.False(string.IsNullOrEmpty(m.StreamId)));

        // Later, from where it stopped: only what it has not seen.
        published.Add((await _herald.PublishAsync("shop", "order.created")).Id);
        await using var resumed = _herald.Poller.StreamAsync("shop", "pull", received[^1].StreamId, timeout).GetAsyncEnumerator(timeout);
        var next = await TakeAsync(resumed, 1);
        Assert.Equal([published[2]], next.Select(m => m.Id));
    }

    [Fact]
    public async Task Stream_AfterTheConnectionDrops_ReconnectsWithLastEventId_WithNothingLostOrRepeated()
    {
        var recorder = new RecordingHandler();
        using var herald = _server.CreateHeraldClient(
            new HeraldClientOptions { Token = HeraldApplication.AdminToken, StreamReconnectDelay = TimeSpan.FromMilliseconds(10) }, recorder, new DroppingHandler());
        await SetUpAsync();
        var published = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            published.Add((await _herald.PublishAsync("shop", "order.created")).Id);
        }

        var timeout = TestEnvironment.Timeout();
        await using var stream = herald.Poller.StreamAsync("shop", "pull", lastEventId: null, timeout).GetAsyncEnumerator(timeout);
        var received = await TakeAsync(stream, 3);

        Assert.Equal(published, received.Select(m => m.Id));
        var opened = recorder.Requests.Where(r => r.RequestUri!.AbsolutePath.EndsWith("/stream", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, opened.Count);
        Assert.False(opened[0].Headers.Contains("Last-Event-ID"));
        Assert.Equal(received[0].StreamId, opened[1].Headers.GetValues("Last-Event-ID").Single());
    }

    [Fact]
    public async Task Stream_WithFilters_SendsOnlyMatchingMessages()
    {
        await SetUpAsync();
        await _herald.PublishAsync("shop", "order.created");
        var shipped = await _herald.PublishAsync("shop", "order.shipped");
        var timeout = TestEnvironment.Timeout();

        await using var stream = _herald.Poller.StreamAsync("shop", "pull", new PollOptions { EventType = "order.shipped" }, cancellationToken: timeout).GetAsyncEnumerator(timeout);

        Assert.Equal([shipped.Id], (await TakeAsync(stream, 1)).Select(m => m.Id));
    }

    [Fact]
    public async Task Stream_IsEndedByCancellation()
    {
        await SetUpAsync();
        using var cancel = new CancellationTokenSource();
        await using var stream = _herald.Poller.StreamAsync("shop", "pull", lastEventId: null, cancel.Token).GetAsyncEnumerator();
        var waiting = stream.MoveNextAsync().AsTask();

        await Task.Delay(100);
        cancel.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(TestEnvironment.Timeout()));
    }

    [Fact]
    public async Task Stream_OfAnUnknownPollingEndpoint_Throws404_WithoutRetrying()
    {
        await SetUpAsync();

        var e = await Assert.ThrowsAsync<HeraldApiException>(async () =>
        {
            await foreach (var message in _herald.Poller.StreamAsync("shop", "nope", lastEventId: null, TestEnvironment.Timeout()))
            {
                Assert.Fail($"Unexpected message {message.Id}.");
            }
        });

        Assert.Equal("not_found", e.Code);
    }

    [Fact]
    public async Task Stream_WithAnInvalidIterator_Throws422_NamingWhereItCameFrom()
    {
        await SetUpAsync();

        async Task<HeraldApiException> OpenAsync(PollOptions options, string? lastEventId) => await Assert.ThrowsAsync<HeraldApiException>(async () =>
        {
            await foreach (var message in _herald.Poller.StreamAsync("shop", "pull", options, lastEventId, TestEnvironment.Timeout()))
            {
                Assert.Fail($"Unexpected message {message.Id}.");
            }
        });

        var fromQuery = await OpenAsync(new PollOptions { Iterator = "not-an-iterator" }, lastEventId: null);
        Assert.Equal(["query", "iterator"], Assert.Single(fromQuery.Errors).Loc);
        var fromHeader = await OpenAsync(new PollOptions(), lastEventId: "not-an-iterator");
        Assert.Equal(["header", "Last-Event-ID"], Assert.Single(fromHeader.Errors).Loc);
    }
}
