using Herald.Client.Tests.Infrastructure;
using Herald.Server.Tests.Infrastructure;

namespace Herald.Client.Tests.Polling;

public sealed class PollerApiTests : IDisposable
{
    private readonly HeraldApplication _server = new();
    private readonly HeraldClient _herald;

    public PollerApiTests() => _herald = _server.CreateHeraldClient();

    public void Dispose()
    {
        _herald.Dispose();
        _server.Dispose();
    }

    private async Task<List<string>> SetUpAsync(int messages)
    {
        await _herald.CreateShopAsync("order.created", "order.shipped");
        await _herald.PollingEndpoints.CreateAsync("shop", new PollingEndpointIn { Uid = "pull" });
        var ids = new List<string>();
        for (var i = 0; i < messages; i++)
        {
            ids.Add((await _herald.PublishAsync("shop", i % 2 == 0 ? "order.created" : "order.shipped", $$"""{"n":{{i}}}""")).Id);
        }

        return ids;
    }

    [Fact]
    public async Task Poll_ReadsPageByPage_InCommitOrder_AndFilters()
    {
        var ids = await SetUpAsync(3);

        var first = await _herald.Poller.PollAsync("shop", "pull", new PollOptions { Limit = 2 });
        Assert.Equal(ids[..2], first.Data.Select(m => m.Id));
        Assert.False(first.Done);
        Assert.All(first.Data, m => Assert.Null(m.StreamId));

        var rest = await _herald.Poller.PollAsync("shop", "pull", new PollOptions { Iterator = first.Iterator });
        Assert.Equal(ids[2..], rest.Data.Select(m => m.Id));
        Assert.True(rest.Done);
        Assert.Equal(2, rest.Data[0].Payload.GetProperty("n").GetInt32());

        var shipped = await _herald.Poller.PollAsync("shop", "pull", new PollOptions { EventType = "order.shipped" });
        Assert.Equal([ids[1]], shipped.Data.Select(m => m.Id));
        Assert.Empty((await _herald.Poller.PollAsync("shop", "pull", new PollOptions { After = DateTimeOffset.UtcNow.AddMinutes(1) })).Data);
    }

    [Fact]
    public async Task LongPoll_IsAnsweredWhenAMessageCommits()
    {
        await SetUpAsync(0);
        var end = (await _herald.Poller.PollAsync("shop", "pull")).Iterator;

        var waiting = _herald.Poller.PollAsync("shop", "pull", new PollOptions { Iterator = end, Wait = TimeSpan.FromSeconds(30) }, TestEnvironment.Timeout());
        var published = await _herald.PublishAsync("shop", "order.created");

        Assert.Equal([published.Id], (await waiting).Data.Select(m => m.Id));
    }

    [Fact]
    public async Task CancelledLongPoll_ThrowsOperationCanceledException()
    {
        await SetUpAsync(0);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            _herald.Poller.ConsumerPollAsync("shop", "pull", "worker", new PollOptions { Wait = TimeSpan.FromSeconds(30) }, cancel.Token));
    }

    [Fact]
    public async Task Consumer_ReadsFromItsCommittedCursor_AndSeeksByTime()
    {
        var ids = await SetUpAsync(3);

        var first = await _herald.Poller.ConsumerPollAsync("shop", "pull", "worker", new PollOptions { Limit = 2 });
        Assert.Equal(ids[..2], first.Data.Select(m => m.Id));
        Assert.Equal(ids[..2], (await _herald.Poller.ConsumerPollAsync("shop", "pull", "worker", new PollOptions { Limit = 2 })).Data.Select(m => m.Id));

        await _herald.Poller.CommitAsync("shop", "pull", "worker", first.Iterator);
        var rest = await _herald.Poller.ConsumerPollAsync("shop", "pull", "worker");
        Assert.Equal(ids[2..], rest.Data.Select(m => m.Id));

        // Passing the iterator commits it before reading.
        Assert.Empty((await _herald.Poller.ConsumerPollAsync("shop", "pull", "worker", new PollOptions { Iterator = rest.Iterator })).Data);
        Assert.Empty((await _herald.Poller.ConsumerPollAsync("shop", "pull", "worker")).Data);
        Assert.Equal(ids, (await _herald.Poller.ConsumerPollAsync("shop", "pull", "other")).Data.Select(m => m.Id));

        var seek = await _herald.Poller.SeekAsync("shop", "pull", "worker", DateTimeOffset.UtcNow.AddHours(-1));
        Assert.False(string.IsNullOrEmpty(seek.Iterator));
        Assert.Equal(ids, (await _herald.Poller.ConsumerPollAsync("shop", "pull", "worker")).Data.Select(m => m.Id));
    }

    [Fact]
    public async Task Poll_OfAnUnknownOrDisabledPollingEndpoint_Throws404Or409()
    {
        await SetUpAsync(0);

        var missing = await Assert.ThrowsAsync<HeraldApiException>(() => _herald.Poller.PollAsync("shop", "nope"));
        Assert.Equal((HttpStatusCode.NotFound, "not_found"), (missing.StatusCode, missing.Code));

        await _herald.PollingEndpoints.PatchAsync("shop", "pull", new PollingEndpointPatch { Status = PollingEndpointStatus.Disabled });
        var disabled = await Assert.ThrowsAsync<HeraldApiException>(() => _herald.Poller.PollAsync("shop", "pull"));
        Assert.Equal((HttpStatusCode.Conflict, "polling_endpoint_disabled"), (disabled.StatusCode, disabled.Code));
    }

    [Fact]
    public async Task InvalidWait_Throws422_NamingTheParameter()
    {
        await SetUpAsync(0);

        var e = await Assert.ThrowsAsync<HeraldApiException>(() => _herald.Poller.PollAsync("shop", "pull", new PollOptions { Wait = TimeSpan.FromMinutes(5) }));

        Assert.Equal(["query", "wait"], Assert.Single(e.Errors).Loc);
    }
}
