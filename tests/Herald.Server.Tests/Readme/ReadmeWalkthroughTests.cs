using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.Readme;

/// <summary>The README's curl walk-through, run exactly as written against a real Herald process, so it cannot rot.</summary>
public sealed class ReadmeWalkthroughTests
{
    private const string Token = "herald_sk_readme_walkthrough_token_0123456789";

    [SkippableFact]
    public async Task ReadmeWalkthrough_RunsAsWritten_AndLeavesTheObjectsItDescribes()
    {
        var bash = Requirements.FindOnPath("bash");
        Requirements.Require(bash is not null, "bash is not installed.");
        Requirements.Require(Requirements.FindOnPath("curl") is not null, "curl is not installed (the README walk-through uses it).");
        var script = ExtractWalkthrough(await File.ReadAllTextAsync(Path.Combine(Requirements.RepositoryRoot, "README.md")));

        var data = Directory.CreateTempSubdirectory("herald-readme").FullName;
        await using var herald = await HeraldProcess.StartAsync(data, new Dictionary<string, string> { ["Herald__Auth__AdminToken"] = Token });
        var (exitCode, output) = await ExternalCommand.RunAsync(
            bash!, ["-e", "-c", script], data,
            new Dictionary<string, string> { ["HERALD_URL"] = herald.BaseAddress.ToString().TrimEnd('/'), ["HERALD_TOKEN"] = Token },
            TimeSpan.FromMinutes(2));

        Assert.True(exitCode == 0, $"The README walk-through failed (exit {exitCode}):\n{output}\n--- Herald ---\n{herald.Output}");
        Assert.Contains("\"key\":\"whsec_", output, StringComparison.Ordinal);
        using var client = herald.CreateClient(Token);
        var endpoint = await (await client.GetAsync("/api/v1/app/acme/endpoint/billing")).ReadObjectAsync(HttpStatusCode.OK);
        Assert.Equal("invoice.paid", (string?)endpoint["eventTypes"]![0]);
        var message = await (await client.GetAsync("/api/v1/app/acme/msg/inv_1001_paid")).ReadObjectAsync(HttpStatusCode.OK);
        Assert.Equal(4200, (int)message["payload"]!["amount"]!);
        var pulled = await (await client.GetAsync("/api/v1/app/acme/poller/pull")).ReadObjectAsync(HttpStatusCode.OK);
        Assert.Equal((string?)message["id"], (string?)pulled["data"]![0]!["id"]);
    }

    private static string ExtractWalkthrough(string readme)
    {
        var start = readme.IndexOf("<!-- walkthrough:start -->", StringComparison.Ordinal);
        var end = readme.IndexOf("<!-- walkthrough:end -->", StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, "README.md must mark its walk-through with walkthrough:start/end comments.");
        var block = readme[start..end];
        var open = block.IndexOf("```bash\n", StringComparison.Ordinal) + "```bash\n".Length;
        var close = block.LastIndexOf("```", StringComparison.Ordinal);
        return block[open..close];
    }
}
