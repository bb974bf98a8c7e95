using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.Compatibility;

/// <summary>
/// Drives a real Herald process with the real <c>svix</c> npm package (tests/svix-compat, pinned to 2.5.0):
/// if the official SDK cannot use Herald unchanged, this fails the build.
/// </summary>
public sealed class SvixSdkCompatibilityTests
{
    private const string Token = "herald_sk_svix_compat_suite_token_0123456789";

    [SkippableFact]
    public async Task SvixNodeSdk_RunsItsSuiteAgainstHerald_AllPass()
    {
        var suite = Path.Combine(Requirements.RepositoryRoot, "tests", "svix-compat");
        var node = Requirements.FindOnPath("node");
        Requirements.Require(node is not null, "Node.js is not installed (needed to run the svix SDK suite).");
        Requirements.Require(Directory.Exists(Path.Combine(suite, "node_modules", "svix")), "tests/svix-compat has no node_modules: run `npm ci` there.");

        var data = Directory.CreateTempSubdirectory("herald-svix-compat").FullName;
        // webhooks.test.mjs receives webhooks on a loopback port of its own, which Herald refuses unless allowed.
        await using var herald = await HeraldProcess.StartAsync(data, new Dictionary<string, string>
        {
            ["Herald__Auth__AdminToken"] = Token,
            ["Herald__Delivery__AllowedNetworks__0"] = "127.0.0.0/8",
            ["Herald__Delivery__AllowedNetworks__1"] = "::1/128",
        });

        var (exitCode, output) = await ExternalCommand.RunAsync(
            node!, ["--test", "--test-reporter=spec"], suite,
            new Dictionary<string, string> { ["HERALD_URL"] = herald.BaseAddress.ToString().TrimEnd('/'), ["HERALD_TOKEN"] = Token },
            TimeSpan.FromMinutes(5));

        Assert.True(exitCode == 0, $"The svix SDK suite failed (exit {exitCode}):\n{output}\n--- Herald output ---\n{herald.Output}");
        Assert.Contains("# fail 0", output.Replace("ℹ", "#", StringComparison.Ordinal), StringComparison.Ordinal);
    }
}
