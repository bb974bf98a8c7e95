using Herald.Portal.Tests.Infrastructure;

namespace Herald.Portal.Tests.Browser;

/// <summary>Data the browser tests start from, made through the public API as a platform's backend would.</summary>
internal static class Seed
{
    public const string EventType = "invoice.paid";

    /// <summary>A new application (its id) with the given endpoints; the shared event type exists afterwards.</summary>
    public static async Task<string> ApplicationAsync(PortalHost host, string name, IReadOnlyList<string> endpoints)
    {
        using var admin = host.CreateAdminClient();
        var type = await admin.PostAsJsonAsync("/api/v1/event-type", new
        {
            name = EventType,
            description = "An invoice was paid in full.",
            schemas = new Dictionary<string, object> { ["1"] = new { type = "object", examples = new[] { new { invoiceId = "inv_1", amount = 4200 } } } },
        });
        Assert.True(type.IsSuccessStatusCode || type.StatusCode == HttpStatusCode.Conflict, $"event type: {(int)type.StatusCode}");

        var app = await admin.PostAsJsonAsync("/api/v1/app", new { name });
        app.EnsureSuccessStatusCode();
        var id = (string)(await app.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;
        foreach (var url in endpoints)
        {
            (await admin.PostAsJsonAsync($"/api/v1/app/{id}/endpoint", new { url })).EnsureSuccessStatusCode();
        }

        return id;
    }

    /// <summary>Publishes one message of the event type to the application and waits until its attempt is logged.</summary>
    public static async Task<string> DeliveredMessageAsync(PortalHost host, string app, string invoiceId = "inv_9", string[]? channels = null)
    {
        var id = await PublishAsync(host, app, invoiceId, channels);
        await AttemptsAsync(host, app, id, count: 1, status: 0);
        return id;
    }

    /// <summary>Publishes one message of the event type (its id); delivery happens in the background.</summary>
    public static async Task<string> PublishAsync(PortalHost host, string app, string invoiceId = "inv_9", string[]? channels = null)
    {
        using var admin = host.CreateAdminClient();
        var message = await admin.PostAsJsonAsync($"/api/v1/app/{app}/msg", new { eventType = EventType, payload = new { invoiceId }, channels });
        message.EnsureSuccessStatusCode();
        return (string)(await message.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;
    }

    /// <summary>Waits until the message has at least <paramref name="count"/> attempts (of the status, if given) and returns them.</summary>
    public static async Task<JsonArray> AttemptsAsync(PortalHost host, string app, string msgId, int count, int? status = null)
    {
        using var admin = host.CreateAdminClient();
        // Delivery runs in the background; poll the attempt log (what a user would refresh) until it shows.
        JsonArray data = [];
        for (var deadline = DateTime.UtcNow.AddSeconds(30); DateTime.UtcNow < deadline; await Task.Delay(100))
        {
            var attempts = await admin.GetFromJsonAsync<JsonObject>($"/api/v1/app/{app}/attempt/msg/{msgId}{(status is { } s ? $"?status={s}" : "")}");
            data = attempts!["data"]!.AsArray();
            if (data.Count >= count)
            {
                return data;
            }
        }

        Assert.Fail($"The message {msgId} had {data.Count} of {count} attempts after 30 s.");
        return data;
    }

    /// <summary>The portal URL Herald hands out for the application (POST /api/v1/auth/app-portal-access).</summary>
    public static async Task<string> PortalUrlAsync(PortalHost host, string app, bool readOnly = false, object? theme = null)
    {
        using var admin = host.CreateAdminClient();
        var response = await admin.PostAsJsonAsync($"/api/v1/auth/app-portal-access/{app}", new { readOnly, theme });
        response.EnsureSuccessStatusCode();
        return (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["url"]!;
    }
}
