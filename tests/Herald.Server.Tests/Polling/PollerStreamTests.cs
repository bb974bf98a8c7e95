using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.Polling;

public sealed class PollerStreamTests : IDisposable
{
    private readonly HeraldApplication _herald = new();
    private readonly HttpClient _client;

    public PollerStreamTests() => _client = _herald.CreateAdminClient();

    public void Dispose() => _herald.Dispose();

    private sealed record ServerSentEvent(string? Id, string Data);

    /// <summary>Reads Server-Sent Events from the response until <paramref name="count"/> events (comments skipped) arrived.</summary>
    private static async Task<List<ServerSentEvent>> ReadEventsAsync(StreamReader reader, int count)
    {
        var events = new List<ServerSentEvent>();
        string? id = null;
        var data = new List<string>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (events.Count < count)
        {
            var line = await reader.ReadLineAsync(timeout.Token) ?? throw new EndOfStreamException("The stream ended.");
            if (line.Length == 0)
            {
                if (data.Count > 0)
                {
                    events.Add(new ServerSentEvent(id, string.Join('\n', data)));
                }

                id = null;
                data.Clear();
            }
            else if (line.StartsWith("id: ", StringComparison.Ordinal))
            {
                id = line[4..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                data.Add(line[6..]);
            }
        }

        return events;
    }

    private async Task<(HttpResponseMessage Response, StreamReader Reader)> OpenAsync(string? lastEventId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/app/shop/poller/pull/stream");
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        return (response, new StreamReader(await response.Content.ReadAsStreamAsync()));
    }

    [Fact]
    public async Task Stream_SendsMessagesAsTheyCommit_AndResumesFromLastEventIdWithNothingLostOrRepeated()
    {
        await _client.CreateEventTypeAsync("order.created");
        await _client.CreateAppAsync("Shop", "shop");
        await (await _client.PostAsJsonAsync("/api/v1/app/shop/destination", new { type = "pollingEndpoint", uid = "pull" })).ReadObjectAsync(HttpStatusCode.Created);
        var before = (string)(await _client.PublishAsync("shop", "order.created"))["id"]!;

        var (response, reader) = await OpenAsync();
        var live = new List<string> { before };
        for (var i = 0; i < 2; i++)
        {
            live.Add((string)(await _client.PublishAsync("shop", "order.created"))["id"]!);
        }

        var events = await ReadEventsAsync(reader, 3);
        Assert.Equal(live, events.Select(e => (string)JsonNode.Parse(e.Data)!["id"]!));
        Assert.All(events, e => Assert.False(string.IsNullOrEmpty(e.Id)));
        response.Dispose();

        // Published while the client was away: after reconnecting with Last-Event-ID, exactly these arrive.
        var missed = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            missed.Add((string)(await _client.PublishAsync("shop", "order.created"))["id"]!);
        }

        var (resumed, resumedReader) = await OpenAsync(events[^1].Id);
        using (resumed)
        {
            var next = await ReadEventsAsync(resumedReader, 2);
            Assert.Equal(missed, next.Select(e => (string)JsonNode.Parse(e.Data)!["id"]!));
        }
    }

    [Fact]
    public async Task Stream_ReplayOfAHistoryBiggerThanThePageByteBudget_DeliversEveryMessageInOrder()
    {
        await _client.CreateAppAsync("Shop", "shop");
        await (await _client.PostAsJsonAsync("/api/v1/app/shop/destination", new { type = "pollingEndpoint", uid = "pull" })).ReadObjectAsync(HttpStatusCode.Created);
        // 30 × 300 KB: more than two batches of the default 4 MiB budget.
        var published = new List<string>();
        for (var i = 0; i < 30; i++)
        {
            var payload = new JsonObject { ["n"] = i, ["blob"] = new string('x', 300_000) };
            published.Add((string)(await _client.PublishAsync("shop", "order.created", new JsonObject { ["payload"] = payload }))["id"]!);
        }

        var (response, reader) = await OpenAsync();
        using (response)
        {
            var events = await ReadEventsAsync(reader, published.Count);
            Assert.Equal(published, events.Select(e => (string)JsonNode.Parse(e.Data)!["id"]!));
            Assert.Equal(Enumerable.Range(0, 30), events.Select(e => (int)JsonNode.Parse(e.Data)!["payload"]!["n"]!));
        }
    }

    [Fact]
    public async Task Stream_APayloadPublishedWithLineBreaks_ArrivesAsOneDataLineOfTheSameJson()
    {
        await _client.CreateAppAsync("Shop", "shop");
        await (await _client.PostAsJsonAsync("/api/v1/app/shop/destination", new { type = "pollingEndpoint", uid = "pull" })).ReadObjectAsync(HttpStatusCode.Created);
        const string payload = "{\r\n  \"a\": 1,\n  \"b\": \"line\\nbreak\"\n}";
        await (await _client.PostJsonAsync("/api/v1/app/shop/msg", $$"""{"eventType":"order.created","payload":{{payload}}}""")).ReadObjectAsync(HttpStatusCode.Accepted);

        var (response, reader) = await OpenAsync();
        using (response)
        {
            var data = Assert.Single(await ReadEventsAsync(reader, 1)).Data;
            Assert.DoesNotContain('\n', data);
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(payload), JsonNode.Parse(data)!["payload"]));
        }
    }
}
