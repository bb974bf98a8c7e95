using Herald.Server.BackgroundTasks;
using Herald.Server.Delivery;
using Herald.Server.Storage;
using Herald.Server.Tests.Delivery;
using Herald.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Herald.Server.Tests.BackgroundTasks;

/// <summary><c>/background-task</c>: tasks are looked up and listed with Svix's filters, announced when they end, and resumed after a restart.</summary>
public sealed class BackgroundTasksApiTests : IAsyncLifetime
{
    private readonly HeraldApplication _herald = DeliveryTestKit.LoopbackHerald();
    private HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        _admin = _herald.CreateAdminClient();
        await _admin.CreateAppAsync("Acme", "acme");
    }

    public Task DisposeAsync()
    {
        _herald.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Get_AFinishedTask_ReturnsItsStatusAndData()
    {
        await _admin.PublishAsync("acme");
        var id = await (await _admin.PostAsync("/api/v1/app/acme/msg/expunge-all-contents", null)).StartedTaskIdAsync("application.purge_content");

        var task = await _admin.WaitForTaskAsync(id);

        Assert.Equal("finished", (string?)task["status"]);
        Assert.Equal("application.purge_content", (string?)task["task"]);
        Assert.Equal(1, (int)task["data"]!["messagesPurged"]!);
        Assert.Equal(id, (string?)task["id"]);
    }

    [Fact]
    public async Task Get_AnUnknownTask_Returns404()
    {
        var response = await _admin.GetAsync("/api/v1/background-task/qtask_0000000000000000000000");

        await response.AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task List_FiltersByTaskAndStatus()
    {
        var purge = await (await _admin.PostAsync("/api/v1/app/acme/msg/expunge-all-contents", null)).StartedTaskIdAsync("application.purge_content");
        var aggregate = await (await _admin.PutAsync("/api/v1/stats/usage/event-types", null)).StartedTaskIdAsync("event-type.aggregate");
        await _admin.WaitForTaskAsync(purge);
        await _admin.WaitForTaskAsync(aggregate);

        var purges = await _admin.GetDataAsync("/api/v1/background-task?task=application.purge_content");
        var finished = await _admin.GetDataAsync("/api/v1/background-task?status=finished");
        var running = await _admin.GetDataAsync("/api/v1/background-task?status=running");
        var none = await _admin.GetDataAsync("/api/v1/background-task?task=endpoint.recover");

        Assert.Equal([purge], purges.Select(t => (string?)t!["id"]));
        Assert.Equal([aggregate, purge], finished.Select(t => (string?)t!["id"]));
        Assert.Empty(running);
        Assert.Empty(none);
    }

    [Fact]
    public async Task List_PagesNewestFirst_AndAscendingOnRequest()
    {
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await (await _admin.PostAsync("/api/v1/app/acme/msg/expunge-all-contents", null)).StartedTaskIdAsync("application.purge_content"));
        }

        var first = await _admin.GetObjectAsync("/api/v1/background-task?limit=2");
        var second = await _admin.GetObjectAsync($"/api/v1/background-task?limit=2&iterator={first["iterator"]}");
        var ascending = await _admin.GetDataAsync("/api/v1/background-task?order=ascending");

        Assert.Equal([ids[2], ids[1]], first["data"]!.AsArray().Select(t => (string?)t!["id"]));
        Assert.False((bool)first["done"]!);
        Assert.Equal([ids[0]], second["data"]!.AsArray().Select(t => (string?)t!["id"]));
        Assert.True((bool)second["done"]!);
        Assert.Equal(ids, ascending.Select(t => (string?)t!["id"]));
    }

    [Theory]
    [InlineData("status=done", "status")]
    [InlineData("task=endpoint.explode", "task")]
    [InlineData("iterator=msg_0000000000000000000000", "iterator")]
    [InlineData("limit=0", "limit")]
    public async Task List_WithAnInvalidFilter_Returns422NamingIt(string query, string field)
    {
        var response = await _admin.GetAsync($"/api/v1/background-task?{query}");

        var error = await response.AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");
        Assert.Contains(field, error.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task FinishedTask_PublishesTheBackgroundTaskFinishedOperationalWebhook()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await _admin.CreateOperatorEndpointAsync(receiver.Url("/ops"), "background_task.finished");
        await _admin.PublishAsync("acme");

        var id = await (await _admin.PostAsync("/api/v1/app/acme/msg/expunge-all-contents", null)).StartedTaskIdAsync("application.purge_content");

        var webhook = (await receiver.WaitForAsync(1, r => r.Path == "/ops")).Single();
        var body = JsonNode.Parse(webhook.Body)!;
        Assert.Equal("background_task.finished", (string?)body["type"]);
        Assert.Equal(id, (string?)body["data"]!["taskId"]);
        Assert.Equal("application.purge_content", (string?)body["data"]!["task"]);
        Assert.Equal("finished", (string?)body["data"]!["status"]);
        Assert.Equal(1, (int)body["data"]!["data"]!["messagesPurged"]!);
    }

    [Fact]
    public async Task TaskHeldByADeadProcess_IsResumedAfterARestart()
    {
        // A running task leased to a process that died (its lease already ran out): what a crash in the middle of the
        // work leaves behind. (On SQLite the new process releases every lease at start; on PostgreSQL expired ones are claimed.)
        var store = _herald.Services.GetRequiredService<IHeraldStore>();
        var app = await _admin.GetObjectAsync("/api/v1/app/acme");
        await _admin.PublishAsync("acme");
        var now = DateTimeOffset.UtcNow;
        var task = new BackgroundTask
        {
            Id = "qtask_" + new string('0', 21) + "1",
            ApplicationId = (string)app["id"]!,
            Kind = BackgroundTaskKinds.PurgeContent,
            Status = BackgroundTaskStatuses.Running,
            Input = "{}",
            Data = "{}",
            CreatedAt = now,
            UpdatedAt = now,
        };
        await store.CreateBackgroundTaskAsync(task, CancellationToken.None);
        Assert.Single(await store.ClaimBackgroundTasksAsync(new DeliveryLease("dead-process", now), now, 10, CancellationToken.None));
        Assert.Equal("running", (string?)(await _admin.GetObjectAsync($"/api/v1/background-task/{task.Id}"))["status"]);

        using var restarted = RestartedHerald();
        var after = await restarted.CreateAdminClient().WaitForTaskAsync(task.Id);

        Assert.Equal("finished", (string?)after["status"]);
        Assert.Equal(1, (int)after["data"]!["messagesPurged"]!);
    }

    /// <summary>A second server on the first one's data (SQLite file or PostgreSQL database), after the first stopped.</summary>
    private HeraldApplication RestartedHerald()
    {
        _herald.StopServer();
        var restarted = _herald.OnSameData();
        return restarted;
    }
}
