using Herald.Server.Tests.BackgroundTasks;
using Herald.Server.Tests.Delivery;
using Herald.Server.Storage;
using Herald.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Herald.Server.Tests.Messages;

/// <summary>bulk-expunge (answered at once) and expunge-all-contents (a task): payloads are gone, metadata stays.</summary>
public sealed class ExpungeApiTests : IAsyncLifetime
{
    private readonly HeraldApplication _herald = new();
    private HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        _admin = _herald.CreateAdminClient();
        await _admin.CreateAppAsync("Acme", "acme");
        await _admin.CreateAppAsync("Other", "other");
    }

    public Task DisposeAsync()
    {
        _herald.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task BulkExpunge_ForgetsTheListedPayloads_AndReportsEachId()
    {
        var byId = (string)(await _admin.PublishAsync("acme"))["id"]!;
        await _admin.PublishAsync("acme", extra: new JsonObject { ["eventId"] = "evt-2" });
        var kept = (string)(await _admin.PublishAsync("acme"))["id"]!;
        var otherApp = (string)(await _admin.PublishAsync("other"))["id"]!;

        var response = await _admin.PostJsonAsync("/api/v1/app/acme/msg/bulk-expunge", $$"""{"ids":["{{byId}}","evt-2","missing-1","{{otherApp}}"]}""");

        var results = (await response.ReadObjectAsync(HttpStatusCode.OK))["results"]!;
        Assert.Equal("expunged", (string?)results[byId]);
        Assert.Equal("expunged", (string?)results["evt-2"]);
        Assert.Equal("not-found", (string?)results["missing-1"]);
        Assert.Equal("not-found", (string?)results[otherApp]);
        Assert.Equal("{}", (await _admin.GetObjectAsync($"/api/v1/app/acme/msg/{byId}"))["payload"]!.ToJsonString());
        Assert.Equal("{}", (await _admin.GetObjectAsync("/api/v1/app/acme/msg/evt-2"))["payload"]!.ToJsonString());
        Assert.NotEqual("{}", (await _admin.GetObjectAsync($"/api/v1/app/acme/msg/{kept}"))["payload"]!.ToJsonString());
        Assert.NotEqual("{}", (await _admin.GetObjectAsync($"/api/v1/app/other/msg/{otherApp}"))["payload"]!.ToJsonString());
    }

    [Theory]
    [InlineData("""{"ids":["bad id"]}""", "ids")]
    [InlineData("""{"ids":["a","a"]}""", "ids")]
    public async Task BulkExpunge_WithInvalidIds_Returns422(string body, string field)
    {
        var response = await _admin.PostJsonAsync("/api/v1/app/acme/msg/bulk-expunge", body);

        var error = await response.AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");
        Assert.Contains(field, error.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task BulkExpunge_WithTooManyIds_Returns422()
    {
        var ids = new JsonArray([.. Enumerable.Range(0, 1001).Select(i => (JsonNode)$"id-{i}")]);

        var response = await _admin.PostJsonAsync("/api/v1/app/acme/msg/bulk-expunge", new JsonObject { ["ids"] = ids }.ToJsonString());

        await response.AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");
    }

    [Fact]
    public async Task PurgeBatches_MessagesExpungedBefore_AreWalkedOnceNotReadAgain()
    {
        // Messages 1 and 2 lost their payload already (as after an earlier batch): a batch of 2 walks them and finds
        // nothing to do, instead of skipping over them to 3 and 4 as a "still has a payload" query would, re-reading
        // every expunged message in every batch.
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add((string)(await _admin.PublishAsync("acme"))["id"]!);
        }

        await _admin.PostJsonAsync("/api/v1/app/acme/msg/bulk-expunge", $$"""{"ids":["{{ids[0]}}","{{ids[1]}}"]}""");
        var store = _herald.Services.GetRequiredService<IBackgroundTaskStore>();
        var app = (string)(await _admin.GetObjectAsync("/api/v1/app/acme"))["id"]!;

        var first = await store.ExpungeApplicationContentBatchAsync(app, 0, null, 2, CancellationToken.None);

        Assert.Equal(new ContentExpungeBatch(0, 2, 5), first);
        var second = await store.ExpungeApplicationContentBatchAsync(app, first.LastWalked, first.Through, 2, CancellationToken.None);
        Assert.Equal(new ContentExpungeBatch(2, 4, 5), second);
        Assert.Equal("{}", (await _admin.GetObjectAsync($"/api/v1/app/acme/msg/{ids[3]}"))["payload"]!.ToJsonString());
        Assert.NotEqual("{}", (await _admin.GetObjectAsync($"/api/v1/app/acme/msg/{ids[4]}"))["payload"]!.ToJsonString());
    }

    [Fact]
    public async Task PurgeBatches_MessagePublishedAfterThePurgeBegan_KeepsItsPayload()
    {
        var before = (string)(await _admin.PublishAsync("acme"))["id"]!;
        var store = _herald.Services.GetRequiredService<IBackgroundTaskStore>();
        var app = (string)(await _admin.GetObjectAsync("/api/v1/app/acme"))["id"]!;
        var first = await store.ExpungeApplicationContentBatchAsync(app, 0, null, 500, CancellationToken.None);
        var after = (string)(await _admin.PublishAsync("acme"))["id"]!;

        var next = await store.ExpungeApplicationContentBatchAsync(app, first.LastWalked, first.Through, 500, CancellationToken.None);

        Assert.Equal(new ContentExpungeBatch(1, 1, 1), first);
        Assert.True(first.IsLast);
        Assert.Equal(new ContentExpungeBatch(0, 1, 1), next);
        Assert.Equal("{}", (await _admin.GetObjectAsync($"/api/v1/app/acme/msg/{before}"))["payload"]!.ToJsonString());
        Assert.NotEqual("{}", (await _admin.GetObjectAsync($"/api/v1/app/acme/msg/{after}"))["payload"]!.ToJsonString());
    }

    [Fact]
    public async Task ExpungeAllContents_MoreMessagesThanABatch_ForgetsThemAll()
    {
        // 501 messages: two batches of the task (500 each), the second with one message.
        await Task.WhenAll(Enumerable.Range(0, 501).Select(_ => _admin.PublishAsync("acme")));

        var id = await (await _admin.PostAsync("/api/v1/app/acme/msg/expunge-all-contents", null)).StartedTaskIdAsync("application.purge_content");

        var task = await _admin.WaitForTaskAsync(id);
        Assert.Equal(501, (int)task["data"]!["messagesPurged"]!);
        var page = await _admin.GetObjectAsync("/api/v1/app/acme/msg?limit=250&with_content=true");
        Assert.All(page["data"]!.AsArray(), m => Assert.Equal("{}", m!["payload"]!.ToJsonString()));
    }

    [Fact]
    public async Task ExpungeAllContents_IsATaskThatForgetsEveryPayloadOfTheApplication()
    {
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((string)(await _admin.PublishAsync("acme"))["id"]!);
        }

        var otherApp = (string)(await _admin.PublishAsync("other"))["id"]!;

        var id = await (await _admin.PostAsync("/api/v1/app/acme/msg/expunge-all-contents", null)).StartedTaskIdAsync("application.purge_content");

        var task = await _admin.WaitForTaskAsync(id);
        Assert.Equal("finished", (string?)task["status"]);
        Assert.Equal(3, (int)task["data"]!["messagesPurged"]!);
        foreach (var message in ids)
        {
            Assert.Equal("{}", (await _admin.GetObjectAsync($"/api/v1/app/acme/msg/{message}"))["payload"]!.ToJsonString());
        }

        Assert.NotEqual("{}", (await _admin.GetObjectAsync($"/api/v1/app/other/msg/{otherApp}"))["payload"]!.ToJsonString());
    }

    [Fact]
    public async Task ExpungeAllContents_OfAnUnknownApplication_Returns404()
    {
        var response = await _admin.PostAsync("/api/v1/app/nope/msg/expunge-all-contents", null);

        await response.AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
    }
}
