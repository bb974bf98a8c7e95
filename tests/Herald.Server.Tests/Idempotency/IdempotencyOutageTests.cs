using Herald.Server.Storage;
using Herald.Server.Tests.Health;
using Herald.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;

namespace Herald.Server.Tests.Idempotency;

/// <summary>
/// Storage failing between a request taking effect and its idempotent answer being saved: the client gets the real
/// answer, and a retry with the same key replays it once storage is back, instead of publishing a second message or
/// waiting behind a claim that never completes.
/// </summary>
public sealed class IdempotencyOutageTests : IDisposable
{
    private readonly HeraldApplication _herald = new();
    private readonly WebApplicationFactory<Program> _server;
    private readonly HttpClient _client;

    public IdempotencyOutageTests()
    {
        _server = FaultyStore.Around(_herald);
        _client = _server.CreateClient();
        _client.DefaultRequestHeaders.Authorization = new("Bearer", HeraldApplication.AdminToken);
    }

    private FaultyStore Store => FaultyStore.Of(_server);

    public void Dispose()
    {
        _server.Dispose();
        _herald.Dispose();
    }

    [Fact]
    public async Task Publish_WhenSavingTheAnswerFails_AnswersAcceptedAndARetryReplaysIt()
    {
        await _client.CreateAppAsync("Shop", "shop");
        Store.Fail(nameof(IHeraldStore.CompleteIdempotentRequestAsync), new SqliteException("SQLite Error 10: 'disk I/O error'.", 10));

        var first = await Publish();
        var published = await first.ReadObjectAsync(HttpStatusCode.Accepted);

        Store.Fail(nameof(IHeraldStore.CompleteIdempotentRequestAsync), null);
        var retry = await Publish();
        var replayed = await retry.ReadObjectAsync(HttpStatusCode.Accepted);

        Assert.Equal((string?)published["id"], (string?)replayed["id"]);
        Assert.Equal("true", retry.Headers.GetValues("Idempotent-Replayed").Single());
        var list = await _client.GetFromJsonAsync<JsonObject>("/api/v1/app/shop/msg");
        Assert.Single(list!["data"]!.AsArray());
        Assert.True(Store.Calls(nameof(IHeraldStore.CompleteIdempotentRequestAsync)) >= 2, "the answer was saved again after the failure");
    }

    private Task<HttpResponseMessage> Publish()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/app/shop/msg")
        {
            Content = JsonContent.Create(new { eventType = "order.paid", payload = new { id = 1 } }),
        };
        request.Headers.Add("Idempotency-Key", "order-1-paid");
        return _client.SendAsync(request);
    }
}
