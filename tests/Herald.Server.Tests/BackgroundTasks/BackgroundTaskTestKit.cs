using Herald.Server.Tests.Delivery;
using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.BackgroundTasks;

/// <summary>Waiting for a background task the API started, through <c>GET /background-task/{id}</c>.</summary>
internal static class BackgroundTaskTestKit
{
    /// <summary>Polls the task until it is no longer running; returns it.</summary>
    public static async Task<JsonObject> WaitForTaskAsync(this HttpClient admin, string taskId)
    {
        JsonObject task = [];
        await DeliveryTestKit.EventuallyAsync(
            async () => (string?)(task = await admin.GetObjectAsync($"/api/v1/background-task/{taskId}"))["status"] != "running",
            $"task {taskId} ends");
        return task;
    }

    /// <summary>The 202 answer of a task-starting route: checks its shape and returns the task id.</summary>
    public static async Task<string> StartedTaskIdAsync(this HttpResponseMessage response, string kind)
    {
        var started = await response.ReadObjectAsync(HttpStatusCode.Accepted);
        Assert.Equal(kind, (string?)started["task"]);
        Assert.Equal("running", (string?)started["status"]);
        Assert.NotNull(started["updatedAt"]);
        var id = (string)started["id"]!;
        Assert.StartsWith("qtask_", id);
        return id;
    }
}
