namespace Herald.Client.Tests.Infrastructure;

/// <summary>Shared setup of the tests: an event type, an application, and bounded waits.</summary>
public static class TestEnvironment
{
    /// <summary>A generous bound for anything a test waits for, so a hang fails instead of blocking the run.</summary>
    public static CancellationToken Timeout(int seconds = 30) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;

    public static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement.Clone();

    public static async Task<ApplicationOut> CreateShopAsync(this HeraldClient herald, params string[] eventTypes)
    {
        foreach (var name in eventTypes)
        {
            await herald.EventTypes.CreateAsync(new EventTypeIn { Name = name, Description = $"{name} happened" });
        }

        return await herald.Applications.CreateAsync(new ApplicationIn { Name = "Shop", Uid = "shop" });
    }

    public static Task<MessageOut> PublishAsync(this HeraldClient herald, string appId, string eventType, string payload = """{"n":1}""", string? eventId = null) =>
        herald.Messages.CreateAsync(appId, new MessageIn { EventType = eventType, Payload = Json(payload), EventId = eventId });

    /// <summary>Asks again until the answer satisfies <paramref name="done"/>: deliveries happen in the background.</summary>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> done, int seconds = 30)
    {
        var token = Timeout(seconds);
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), token);
        }
    }
}
