using Herald.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace Herald.Server.Tests.Delivery;

/// <summary>
/// What delivery tests share: a Herald that may reach loopback receivers, on a fake clock with an exact retry
/// schedule when asked, and ways to wait for what the API reports (attempts recorded, endpoint states).
/// Waiting polls for an event with a deadline; it never waits for time to pass.
/// </summary>
internal static class DeliveryTestKit
{
    public const string Loopback = "127.0.0.0/8";

    /// <summary>Herald that may connect to loopback receivers.</summary>
    public static HeraldApplication LoopbackHerald() => new HeraldApplication().With("Herald:Delivery:AllowedNetworks:0", Loopback);

    /// <summary>Herald on a fake clock, retrying exactly after <paramref name="schedule"/> (no jitter).</summary>
    public static HeraldApplication FakeTimeHerald(params TimeSpan[] schedule)
    {
        var herald = LoopbackHerald().WithFakeTime().With("Herald:Delivery:Jitter", "0");
        for (var i = 0; i < schedule.Length; i++)
        {
            herald.With($"Herald:Delivery:RetrySchedule:{i}", schedule[i].ToString("c"));
        }

        return herald;
    }

    /// <summary>A timestamp field of an API answer.</summary>
    public static DateTimeOffset AsTime(this JsonNode? node) =>
        DateTimeOffset.Parse((string?)node ?? throw new InvalidOperationException("No timestamp."), System.Globalization.CultureInfo.InvariantCulture);

    public static async Task<JsonObject> GetObjectAsync(this HttpClient client, string url) =>
        await (await client.GetAsync(url)).ReadObjectAsync(HttpStatusCode.OK);

    public static async Task<JsonArray> GetDataAsync(this HttpClient client, string url) =>
        (await client.GetObjectAsync(url))["data"]!.AsArray();

    /// <summary>Polls until <paramref name="condition"/> holds; fails with <paramref name="what"/> after 30 s.</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, string what)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!await condition())
        {
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(25), deadline.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail("Timed out waiting until " + what);
            }
        }
    }

    /// <summary>Waits until the attempt log of a message holds at least <paramref name="count"/> attempts; returns them, newest first.</summary>
    public static async Task<JsonArray> WaitForAttemptsAsync(this HttpClient client, string appId, string messageId, int count, string? endpointId = null)
    {
        var url = $"/api/v1/app/{appId}/attempt/msg/{messageId}" + (endpointId is null ? "" : $"?endpoint_id={endpointId}");
        JsonArray attempts = [];
        await EventuallyAsync(async () => (attempts = await client.GetDataAsync(url)).Count >= count, $"{count} attempt(s) of {messageId} are recorded");
        return attempts;
    }

    /// <summary>The state of a message's delivery to one endpoint, as <c>GET /msg/{id}/endpoint</c> reports it.</summary>
    public static async Task<JsonObject> DestinationAsync(this HttpClient client, string appId, string messageId, string endpointId) =>
        (await client.GetDataAsync($"/api/v1/app/{appId}/msg/{messageId}/endpoint")).Single(d => (string?)d!["id"] == endpointId)!.AsObject();

    public static async Task<JsonObject> GetEndpointAsync(this HttpClient client, string appId, string endpointId) =>
        await client.GetObjectAsync($"/api/v1/app/{appId}/endpoint/{endpointId}");

    /// <summary>Creates an operator endpoint for operational webhooks (admin only).</summary>
    public static async Task<JsonObject> CreateOperatorEndpointAsync(this HttpClient admin, string url, params string[] eventTypes)
    {
        var body = new JsonObject { ["url"] = url };
        if (eventTypes.Length > 0)
        {
            body["eventTypes"] = new JsonArray([.. eventTypes.Select(t => (JsonNode)t)]);
        }

        return await (await admin.PostAsJsonAsync("/api/v1/operational-webhook/endpoint", body)).ReadObjectAsync(HttpStatusCode.Created);
    }

    /// <summary>Answers every request with <paramref name="status"/> (and <paramref name="headers"/>).</summary>
    public static Func<ReceivedWebhook, HttpContext, Task> Always(int status, params (string Name, string Value)[] headers) => (_, context) =>
    {
        context.Response.StatusCode = status;
        foreach (var (name, value) in headers)
        {
            context.Response.Headers[name] = value;
        }

        return Task.CompletedTask;
    };

    /// <summary>Answers requests to <paramref name="path"/> by <paramref name="respond"/>, all others with 200.</summary>
    public static Func<ReceivedWebhook, HttpContext, Task> On(string path, Func<ReceivedWebhook, HttpContext, Task> respond) => (webhook, context) =>
    {
        if (webhook.Path == path)
        {
            return respond(webhook, context);
        }

        context.Response.StatusCode = 200;
        return Task.CompletedTask;
    };

    /// <summary>The operational webhooks (body <c>{"type", "timestamp", "data"}</c>) of a type that arrived at a receiver.</summary>
    public static IEnumerable<JsonObject> OperationalEvents(this WebhookReceiver receiver, string type) =>
        receiver.Received.Select(r => JsonNode.Parse(r.Body)!.AsObject()).Where(o => (string?)o["type"] == type);

    public static bool IsOperational(this ReceivedWebhook webhook, string type) =>
        JsonNode.Parse(webhook.Body) is JsonObject o && (string?)o["type"] == type;
}

