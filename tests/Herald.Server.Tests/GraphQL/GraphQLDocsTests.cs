using System.Text.RegularExpressions;
using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.GraphQL;

/// <summary>Every ```graphql example of docs/GRAPHQL.md runs as written, without errors, against a Herald with data.</summary>
public sealed partial class GraphQLDocsTests(GraphQLFixture fixture) : IClassFixture<GraphQLFixture>
{
    [Fact]
    public async Task DocumentedExamples_RunWithoutErrors()
    {
        var doc = File.ReadAllText(Path.Combine(Requirements.RepositoryRoot, "docs", "GRAPHQL.md"));
        var examples = Example().Matches(doc).Select(m => m.Groups[1].Value).ToList();
        Assert.True(examples.Count >= 4, "docs/GRAPHQL.md should show its examples in ```graphql blocks");
        // The variables the examples use, as the doc's variables block names them.
        var variables = new JsonObject
        {
            ["appId"] = fixture.AppId,
            ["endpointId"] = fixture.EndpointIds[0],
            ["messageId"] = fixture.MessageIds[0],
            ["since"] = DateTimeOffset.UtcNow.AddDays(-1).ToString("O"),
            ["until"] = DateTimeOffset.UtcNow.AddDays(1).ToString("O"),
        };
        foreach (var example in examples)
        {
            var used = new JsonObject();
            foreach (var (name, value) in variables)
            {
                if (example.Contains("$" + name, StringComparison.Ordinal))
                {
                    used[name] = value!.DeepClone();
                }
            }

            var body = example.TrimStart().StartsWith("subscription", StringComparison.Ordinal)
                ? await FirstEventAsync(example, used)
                : await (await fixture.Admin.SendGraphQLAsync(example, used)).ReadObjectAsync(HttpStatusCode.OK);
            Assert.True(body["errors"] is null, $"Example failed:\n{example}\n{body["errors"]?.ToJsonString()}");
        }
    }

    /// <summary>A subscription example runs over GraphQL-over-SSE; its first result is what is checked (the examples replay with <c>after: 0</c>).</summary>
    private async Task<JsonObject> FirstEventAsync(string query, JsonObject variables)
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var request = new HttpRequestMessage(HttpMethod.Post, "/graphql")
        {
            Content = new StringContent(new JsonObject { ["query"] = query, ["variables"] = variables.DeepClone() }.ToJsonString(), System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.ParseAdd("text/event-stream");
        using var response = await fixture.Admin.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel.Token);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancel.Token));
        while (await reader.ReadLineAsync(cancel.Token) is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                return JsonNode.Parse(line[6..])!.AsObject();
            }
        }

        throw new EndOfStreamException("The subscription ended without a result.");
    }

    [GeneratedRegex(@"```graphql\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex Example();
}
