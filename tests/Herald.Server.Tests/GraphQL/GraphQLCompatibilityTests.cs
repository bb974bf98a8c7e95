using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.GraphQL;

/// <summary>
/// Drives a real Herald process's /graphql with real npm clients (tests/graphql-compat: graphql-request, graphql-js, graphql-sse and graphql-ws
/// under node:test), as SvixSdkCompatibilityTests does with the svix SDK. Fails with node's output when a client cannot
/// use the API; skips, saying why, when Node.js or the suite's packages are missing.
/// </summary>
public sealed class GraphQLCompatibilityTests
{
    private const string Token = "herald_sk_graphql_compat_suite_token_0123456789";

    [SkippableFact]
    public async Task NpmGraphQLClients_RunTheirSuiteAgainstHerald_AllPass()
    {
        var suite = Path.Combine(Requirements.RepositoryRoot, "tests", "graphql-compat");
        var node = Requirements.FindOnPath("node");
        Requirements.Require(node is not null, "Node.js is not installed (needed to run the GraphQL client suite).");
        foreach (var module in new[] { "graphql", "graphql-request", "graphql-sse", "graphql-ws", "ws" })
        {
            Requirements.Require(Directory.Exists(Path.Combine(suite, "node_modules", module)), $"tests/graphql-compat has no node_modules/{module}: run `npm ci` there.");
        }

        var data = Directory.CreateTempSubdirectory("herald-graphql-compat").FullName;
        await using var herald = await HeraldProcess.StartAsync(data, new Dictionary<string, string>
        {
            ["Herald__Auth__AdminToken"] = Token,
        });

        var (exitCode, output) = await ExternalCommand.RunAsync(
            node!, ["--test", "--test-reporter=spec"], suite,
            new Dictionary<string, string>
            {
                ["HERALD_URL"] = herald.BaseAddress.ToString().TrimEnd('/'),
                ["HERALD_TOKEN"] = Token,
            },
            TimeSpan.FromMinutes(3));

        Assert.True(exitCode == 0, $"The GraphQL client suite failed (exit {exitCode}):\n{output}\n--- Herald output ---\n{herald.Output}");
        Assert.Contains("# fail 0", output.Replace("ℹ", "#", StringComparison.Ordinal), StringComparison.Ordinal);
    }
}
