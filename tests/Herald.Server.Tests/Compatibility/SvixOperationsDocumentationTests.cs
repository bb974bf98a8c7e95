using System.Text;
using System.Text.RegularExpressions;
using Herald.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Herald.Server.Tests.Compatibility;

/// <summary>
/// Keeps docs/COMPATIBILITY.md true: one row per Svix API operation (the vendored list in svix-operations.json),
/// every "supported" row a route Herald really has, every "not supported" row a route it does not have that
/// answers what the row says.
/// </summary>
public sealed partial class SvixOperationsDocumentationTests : IDisposable
{
    private readonly HeraldApplication _herald = new();

    public void Dispose() => _herald.Dispose();

    private sealed record Operation(string Method, string Path, string OperationId);

    private sealed record Row(Operation Operation, string Status, string Notes);

    [GeneratedRegex(@"^\| (?<method>[A-Z]+) \| `(?<path>[^`]+)` \| `(?<id>[^`]+)` \| (?<status>supported|supported with differences|not supported) \| (?<notes>.*) \|$")]
    private static partial Regex RowPattern();

    [GeneratedRegex(@"^`(?<status>\d{3}) (?<code>[a-z_]+)`")]
    private static partial Regex AnswerPattern();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Parameter();

    private static IReadOnlyList<Operation> SvixOperations()
    {
        var file = Path.Combine(Requirements.RepositoryRoot, "tests", "Herald.Server.Tests", "Compatibility", "svix-operations.json");
        var operations = JsonNode.Parse(File.ReadAllText(file))!["operations"]!.AsArray();
        return operations.Select(o => new Operation((string)o!["method"]!, (string)o["path"]!, (string)o["operationId"]!)).ToList();
    }

    private static IReadOnlyList<Row> DocumentedRows()
    {
        var doc = File.ReadAllLines(Path.Combine(Requirements.RepositoryRoot, "docs", "COMPATIBILITY.md"));
        var tableStart = Array.FindIndex(doc, line => line.StartsWith("## Every Svix operation", StringComparison.Ordinal));
        Assert.True(tableStart >= 0, "docs/COMPATIBILITY.md has no '## Every Svix operation' section");
        var rows = new List<Row>();
        foreach (var line in doc.Skip(tableStart).Where(l => l.StartsWith("| ", StringComparison.Ordinal) && l.Contains(" | `/", StringComparison.Ordinal)))
        {
            var match = RowPattern().Match(line);
            Assert.True(match.Success, $"docs/COMPATIBILITY.md: a table row does not have the form | METHOD | `path` | `operationId` | status | notes |:\n{line}");
            rows.Add(new Row(new Operation(match.Groups["method"].Value, match.Groups["path"].Value, match.Groups["id"].Value), match.Groups["status"].Value, match.Groups["notes"].Value));
        }

        return rows;
    }

    /// <summary>Method and route template of every Herald endpoint, parameters blanked: <c>GET /api/v1/app/{}</c>.</summary>
    private HashSet<string> HeraldRoutes()
    {
        var routes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var endpoint in _herald.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var template = Normalize("/" + endpoint.RoutePattern.RawText?.TrimStart('/'));
            foreach (var method in endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? [])
            {
                routes.Add($"{method} {template}");
            }
        }

        return routes;
    }

    private static string Normalize(string path) => Parameter().Replace(path.TrimEnd('/'), "{}");

    private static string Key(Operation o) => $"{o.Method} {Normalize(o.Path)}";

    [Fact]
    public void CompatibilityDoc_ListsEverySvixOperation_ExactlyOnce()
    {
        var svix = SvixOperations();
        var rows = DocumentedRows();

        var missing = svix.Except(rows.Select(r => r.Operation)).Select(o => $"{o.Method} {o.Path} ({o.OperationId})").ToList();
        var unknown = rows.Select(r => r.Operation).Except(svix).Select(o => $"{o.Method} {o.Path} ({o.OperationId})").ToList();
        var duplicated = rows.GroupBy(r => r.Operation).Where(g => g.Count() > 1).Select(g => $"{g.Key.Method} {g.Key.Path}").ToList();

        Assert.True(missing.Count == 0, "Svix operations without a row in docs/COMPATIBILITY.md:\n" + string.Join('\n', missing));
        Assert.True(unknown.Count == 0, "Rows in docs/COMPATIBILITY.md that are not Svix operations:\n" + string.Join('\n', unknown));
        Assert.True(duplicated.Count == 0, "Operations with more than one row in docs/COMPATIBILITY.md:\n" + string.Join('\n', duplicated));
        Assert.True(svix.Count > 200, $"svix-operations.json lists only {svix.Count} operations");
    }

    [Fact]
    public void CompatibilityDoc_SupportedRows_ExistAsHeraldRoutes()
    {
        var routes = HeraldRoutes();
        var supported = DocumentedRows().Where(r => r.Status != "not supported").ToList();

        var absent = supported.Where(r => !routes.Contains(Key(r.Operation))).Select(r => $"{r.Operation.Method} {r.Operation.Path}").ToList();

        Assert.True(absent.Count == 0, "Rows marked supported in docs/COMPATIBILITY.md without a Herald route:\n" + string.Join('\n', absent));
        Assert.NotEmpty(supported);
        Assert.All(supported.Where(r => r.Status == "supported with differences"), r => Assert.False(string.IsNullOrWhiteSpace(r.Notes), $"{r.Operation.OperationId}: name the differences"));
    }

    [Fact]
    public async Task CompatibilityDoc_UnsupportedRows_AreAbsent_AndAnswerAsDocumented()
    {
        var routes = HeraldRoutes();
        using var client = _herald.CreateAdminClient();
        var wrong = new List<string>();

        foreach (var row in DocumentedRows().Where(r => r.Status == "not supported"))
        {
            var operation = row.Operation;
            var answer = AnswerPattern().Match(row.Notes);
            if (!answer.Success)
            {
                wrong.Add($"{operation.Method} {operation.Path}: the notes must start with the answer, e.g. `404 not_found`");
                continue;
            }

            // A route may exist only to refuse the operation by name (a code other than the router's not_found).
            if (routes.Contains(Key(operation)) && answer.Groups["code"].Value == "not_found")
            {
                wrong.Add($"{operation.Method} {operation.Path}: Herald has this route; mark the row supported");
                continue;
            }

            using var request = new HttpRequestMessage(new HttpMethod(operation.Method), Parameter().Replace(operation.Path, "compat_unknown"));
            if (operation.Method is "POST" or "PUT" or "PATCH")
            {
                request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
            }

            using var response = await client.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            var code = text.Length > 0 && JsonNode.Parse(text) is JsonObject body ? (string?)body["code"] : null;
            if ((int)response.StatusCode != int.Parse(answer.Groups["status"].Value, System.Globalization.CultureInfo.InvariantCulture) || code != answer.Groups["code"].Value)
            {
                wrong.Add($"{operation.Method} {operation.Path}: documented {answer.Value}, Herald answers {(int)response.StatusCode} {code}");
            }
        }

        Assert.True(wrong.Count == 0, "docs/COMPATIBILITY.md 'not supported' rows that are not true:\n" + string.Join('\n', wrong));
    }
}
