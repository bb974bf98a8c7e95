using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.Compatibility;

/// <summary>
/// Drives a real Herald process with the real <c>svix</c> npm package (tests/svix-compat), once per SDK generation:
/// svix@2.5.0 and svix@1.99.1 (installed as the npm alias <c>svix1</c>; <c>SVIX_SDK</c> selects it). If either
/// official SDK cannot use Herald unchanged, this fails the build, with the node output of the failing run.
/// </summary>
public sealed class SvixSdkCompatibilityTests
{
    private const string Token = "herald_sk_svix_compat_suite_token_0123456789";

    [SkippableTheory]
    [InlineData("2.5.0", "svix", "2")]
    [InlineData("1.99.1", "svix1", "1")]
    public async Task SvixNodeSdk_RunsItsSuiteAgainstHerald_AllPass(string version, string package, string generation)
    {
        var suite = Path.Combine(Requirements.RepositoryRoot, "tests", "svix-compat");
        var node = Requirements.FindOnPath("node");
        Requirements.Require(node is not null, "Node.js is not installed (needed to run the svix SDK suite).");
        await InstallDependenciesAsync(suite, [package, "standardwebhooks"]);

        var data = Directory.CreateTempSubdirectory("herald-svix-compat").FullName;
        // The suite receives webhooks on loopback ports of its own, which Herald refuses unless allowed; one quick
        // retry lets delivery-operations.test.mjs see a failing message reach "fail" (for recover) within the test.
        await using var herald = await HeraldProcess.StartAsync(data, new Dictionary<string, string>
        {
            ["Herald__Auth__AdminToken"] = Token,
            ["Herald__Delivery__AllowedNetworks__0"] = "127.0.0.0/8",
            ["Herald__Delivery__AllowedNetworks__1"] = "::1/128",
            ["Herald__Delivery__RetrySchedule__0"] = "00:00:00.2",
            // schemas-and-transformations.test.mjs publishes against event types with schemas; no other file does.
            ["Herald__EventTypes__PayloadValidation"] = "Declared",
        });

        var (exitCode, output) = await ExternalCommand.RunAsync(
            node!, ["--test", "--test-reporter=spec"], suite,
            new Dictionary<string, string>
            {
                ["HERALD_URL"] = herald.BaseAddress.ToString().TrimEnd('/'),
                ["HERALD_TOKEN"] = Token,
                ["SVIX_SDK"] = generation,
            },
            TimeSpan.FromMinutes(5));

        Assert.True(exitCode == 0, $"The svix@{version} SDK suite failed (exit {exitCode}):\n{output}\n--- Herald output ---\n{herald.Output}");
        Assert.Contains("# fail 0", output.Replace("ℹ", "#", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    private static readonly SemaphoreSlim Installing = new(1, 1);

    /// <summary>
    /// On a fresh clone the suite's packages are not there yet: <c>npm ci</c> installs them (the exact versions of
    /// package-lock.json), once for both cases. Without npm, or offline, the test is skipped saying so (failed in CI).
    /// </summary>
    private static async Task InstallDependenciesAsync(string suite, string[] modules)
    {
        bool Installed() => modules.All(m => Directory.Exists(Path.Combine(suite, "node_modules", m)));
        await Installing.WaitAsync();
        try
        {
            if (Installed())
            {
                return;
            }

            var npm = Requirements.FindOnPath("npm");
            Requirements.Require(npm is not null, "tests/svix-compat needs its npm packages and npm is not installed: run `npm ci` there.");
            var (exitCode, output) = await ExternalCommand.RunAsync(
                npm!, ["ci", "--no-audit", "--no-fund"], suite, new Dictionary<string, string>(), TimeSpan.FromMinutes(5));
            Requirements.Require(exitCode == 0 && Installed(), $"`npm ci` in tests/svix-compat failed (exit {exitCode}; offline?):\n{output}");
        }
        finally
        {
            Installing.Release();
        }
    }
}
