using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.Storage;

/// <summary>
/// PostgreSQL going down under a running Herald (its own server, stopped and started again by the test): requests are
/// answered 503 storage_unavailable with Retry-After, health turns 503, and both recover when the database is back,
/// without restarting Herald.
/// </summary>
public sealed class PostgresOutageTests
{
    [SkippableFact]
    public async Task PostgresDown_Publish503AndHealth503_ThenRecoversWithoutRestart()
    {
        Requirements.Require(StoppablePostgresServer.MissingReason is null, StoppablePostgresServer.MissingReason ?? "");
        using var postgres = StoppablePostgresServer.Create();
        using var herald = new HeraldApplication().With("Herald:Storage:ConnectionString", postgres.ConnectionString);
        var client = herald.CreateAdminClient();
        var probe = herald.CreateClient(); // As a load balancer asks: no token (with one, authentication itself would meet the outage).
        await client.CreateAppAsync("Shop", "shop");
        await (await client.PostAsJsonAsync("/api/v1/app/shop/msg", new { eventType = "a.b", eventId = "before", payload = new { } }))
            .ReadObjectAsync(HttpStatusCode.Accepted);

        postgres.Stop();

        var refused = await client.PostAsJsonAsync("/api/v1/app/shop/msg", new { eventType = "a.b", eventId = "during", payload = new { } });
        var error = await refused.ReadObjectAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Equal("storage_unavailable", (string?)error["code"]);
        Assert.Equal("5", refused.Headers.GetValues("Retry-After").Single());
        var health = await WaitForHealthAsync(probe, HttpStatusCode.ServiceUnavailable);
        Assert.Equal("storage_unavailable", (string?)health["status"]);

        postgres.Start();

        health = await WaitForHealthAsync(probe, HttpStatusCode.OK);
        Assert.Equal("ok", (string?)health["status"]);
        // The refused message was not stored: sending it again is accepted, not a 409 on its eventId. Pooled connections
        // that died with the server may each fail one more request with a 503, as a client retrying would see.
        HttpResponseMessage retried;
        var tries = 0;
        do
        {
            retried = await client.PostAsJsonAsync("/api/v1/app/shop/msg", new { eventType = "a.b", eventId = "during", payload = new { } });
        }
        while (retried.StatusCode == HttpStatusCode.ServiceUnavailable && ++tries < 20);

        await retried.ReadObjectAsync(HttpStatusCode.Accepted);
        await (await client.GetAsync("/api/v1/app/shop/msg/before")).ReadObjectAsync(HttpStatusCode.OK);
    }

    private static async Task<JsonObject> WaitForHealthAsync(HttpClient client, HttpStatusCode status)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var response = await client.GetAsync("/api/v1/health");
            if (response.StatusCode == status || DateTime.UtcNow > deadline)
            {
                return await response.ReadObjectAsync(status);
            }

            await Task.Delay(200);
        }
    }
}
