using Herald.Server.Tests.BackgroundTasks;
using Herald.Server.Tests.Delivery;
using Herald.Server.Tests.Infrastructure;

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
