using System.Text;
using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.Hosting;

/// <summary>Herald started as a user starts it: its own process, its own data directory.</summary>
public sealed partial class ServerProcessTests : IDisposable
{
    private readonly TempDirectory _data = new("herald-process");

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task FirstStart_PrintsAdminTokenOnce_RestartKeepsObjectsAndToken()
    {
        string token;
        string appId;
        await using (var first = await HeraldProcess.StartAsync(_data))
        {
            var printed = AdminTokens.Pattern().Matches(first.Output);
            Assert.Single(printed);
            token = printed[0].Value;
            Assert.Contains("/docs", first.Output, StringComparison.Ordinal);

            using var client = first.CreateClient(token);
            var app = await (await client.PostAsJsonAsync("/api/v1/app", new { name = "Kept", uid = "kept" })).ReadObjectAsync(HttpStatusCode.Created);
            appId = (string)app["id"]!;
            await (await client.PostAsJsonAsync("/api/v1/app/kept/endpoint", new { url = "https://example.com/hook", uid = "hook" })).ReadObjectAsync(HttpStatusCode.Created);
            await (await client.PostAsJsonAsync("/api/v1/app/kept/msg", new { eventType = "thing.happened", payload = new { n = 1 } })).ReadObjectAsync(HttpStatusCode.Accepted);
        }

        // Only the hash is at rest: the token's text is nowhere in the data directory.
        foreach (var file in Directory.GetFiles(_data))
        {
            Assert.DoesNotContain(token, Encoding.UTF8.GetString(await File.ReadAllBytesAsync(file)), StringComparison.Ordinal);
        }

        await using var second = await HeraldProcess.StartAsync(_data);
        Assert.Empty(AdminTokens.Pattern().Matches(second.Output));
        using var again = second.CreateClient(token);
        var kept = await (await again.GetAsync("/api/v1/app/kept")).ReadObjectAsync(HttpStatusCode.OK);
        Assert.Equal(appId, (string?)kept["id"]);
        await (await again.GetAsync("/api/v1/app/kept/endpoint/hook")).ReadObjectAsync(HttpStatusCode.OK);
        var messages = await (await again.GetAsync("/api/v1/app/kept/msg")).ReadObjectAsync(HttpStatusCode.OK);
        Assert.Single(messages["data"]!.AsArray());
    }

    [Fact]
    public async Task PresetAdminToken_IsUsed_AndNoTokenIsGenerated()
    {
        const string preset = "herald_sk_operator_chosen_token_for_scripts_42";
        await using var herald = await HeraldProcess.StartAsync(_data, new Dictionary<string, string> { ["Herald__Auth__AdminToken"] = preset });

        Assert.Empty(AdminTokens.Pattern().Matches(herald.Output));
        using var client = herald.CreateClient(preset);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/app")).StatusCode);
    }

    [Theory]
    [InlineData("Herald__Storage__Provider", "oracle", "Herald:Storage:Provider")]
    [InlineData("Herald__Storage__Provider", "postgres", "Herald:Storage:ConnectionString")]
    [InlineData("Herald__Api__MaxRequestBodyBytes", "10", "MaxRequestBodyBytes")]
    [InlineData("Herald__Auth__AdminToken", "short", "Herald:Auth:AdminToken")]
    public async Task InvalidConfiguration_StopsStartup_WithMessageNamingTheSetting(string key, string value, string named)
    {
        await using var herald = await HeraldProcess.StartAsync(_data, new Dictionary<string, string> { [key] = value }, waitUntilHealthy: false);

        var exitCode = await herald.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.NotEqual(0, exitCode);
        Assert.Contains(named, herald.Output, StringComparison.Ordinal);
    }
}
