using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.Hosting;

/// <summary>
/// <c>--dev</c> lets a newcomer's first webhook reach a receiver on their own machine and says what each attempt did;
/// outside it, an endpoint on such an address is answered with a warning and its first refusal is logged.
/// </summary>
public sealed class DevModeTests : IDisposable
{
    private const string Token = "herald_sk_dev_mode_tests_token_0123456789abcdef";
    private readonly TempDirectory _data = new("herald-dev");

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task DevMode_DeliversToALoopbackReceiver_AndLogsTheAttempt()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var herald = await HeraldProcess.StartAsync(_data, Preset(), arguments: ["--dev"]);
        using var client = herald.CreateClient(Token);
        var app = await client.CreateAppAsync();

        var created = await client.PostAsJsonAsync($"/api/v1/app/{app["id"]}/endpoint", new JsonObject { ["url"] = receiver.Url() });
        var endpoint = await created.ReadObjectAsync(HttpStatusCode.Created);
        var message = await client.PublishAsync((string)app["id"]!);
        await receiver.WaitForAsync(1, timeout: TimeSpan.FromSeconds(30));

        Assert.False(created.Headers.Contains("Herald-Warning"));
        Assert.Null(endpoint["warning"]);
        await StartupTests.WaitForAsync(herald, $"Attempt 1 of message {message["id"]} to endpoint {endpoint["id"]} succeeded: status 200");
        Assert.Contains("DEV MODE: NOT FOR PRODUCTION", herald.Output, StringComparison.Ordinal);
        Assert.Contains("retried after 5 s, 10 s, 30 s, 1 min, 5 min", herald.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OutsideDevMode_ALoopbackEndpoint_IsAnsweredWithAWarning_AndItsFirstRefusalIsLoggedOnce()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var herald = await HeraldProcess.StartAsync(_data, Preset());
        using var client = herald.CreateClient(Token);
        var app = await client.CreateAppAsync();
        var appId = (string)app["id"]!;

        var created = await client.PostAsJsonAsync($"/api/v1/app/{appId}/endpoint", new JsonObject { ["url"] = receiver.Url() });
        var endpoint = await created.ReadObjectAsync(HttpStatusCode.Created);
        var patched = await client.PatchAsync($"/api/v1/app/{appId}/endpoint/{endpoint["id"]}", JsonContent.Create(new JsonObject { ["description"] = "local" }));
        await client.PublishAsync(appId);
        await client.PublishAsync(appId);
        await WaitForFailedAttemptsAsync(client, appId, (string)endpoint["id"]!, 2);

        var warning = Assert.Single(created.Headers.GetValues("Herald-Warning"));
        Assert.StartsWith("Deliveries to this URL will fail: 127.0.0.1 is a loopback address;", warning, StringComparison.Ordinal);
        Assert.Equal(warning, (string?)endpoint["warning"]);
        Assert.Equal(warning, (string?)(await patched.ReadObjectAsync(HttpStatusCode.OK))["warning"]);
        Assert.Null((await (await client.GetAsync($"/api/v1/app/{appId}/endpoint/{endpoint["id"]}")).ReadObjectAsync(HttpStatusCode.OK))["warning"]);
        Assert.Empty(receiver.Received);
        await StartupTests.WaitForAsync(herald, $"Endpoint {endpoint["id"]} cannot be reached");
        Assert.Equal(2, herald.Output.Split($"Endpoint {endpoint["id"]} cannot be reached").Length); // once, for two refused attempts
    }

    [Fact]
    public async Task APublicEndpoint_HasNoWarning()
    {
        await using var herald = await HeraldProcess.StartAsync(_data, Preset());
        using var client = herald.CreateClient(Token);
        var app = await client.CreateAppAsync();

        var created = await client.PostAsJsonAsync($"/api/v1/app/{app["id"]}/endpoint", new JsonObject { ["url"] = "https://93.184.215.14/hook" });

        Assert.Null((await created.ReadObjectAsync(HttpStatusCode.Created))["warning"]);
        Assert.False(created.Headers.Contains("Herald-Warning"));
    }

    private static Dictionary<string, string> Preset() => new() { ["Herald__Auth__AdminToken"] = Token };

    private static async Task WaitForFailedAttemptsAsync(HttpClient client, string appId, string endpointId, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            var response = await client.GetAsync($"/api/v1/app/{appId}/attempt/endpoint/{endpointId}");
            if (response.StatusCode == HttpStatusCode.OK && (await response.ReadObjectAsync(HttpStatusCode.OK))["data"]!.AsArray().Count >= count)
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"Fewer than {count} attempts to {endpointId} within 30 s.");
    }
}
