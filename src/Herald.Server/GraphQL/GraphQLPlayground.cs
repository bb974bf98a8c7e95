using Microsoft.Net.Http.Headers;

namespace Herald.Server.GraphQL;

/// <summary>
/// The GraphQL playground: GraphiQL 3.9.0 with React 18.3.1, vendored from npm into GraphQL/Playground (with their
/// licences in LICENSES.txt) and embedded in the assembly, so it works offline and needs no npm at run time. Served at
/// <c>/graphql/playground</c>, and at <c>GET /graphql</c> for a browser (Accept: text/html). Its own Content-Security-Policy
/// allows scripts and styles from Herald only (GraphiQL's editor sets inline styles), and no framing.
/// </summary>
internal static class GraphQLPlayground
{
    public const string Path = "/graphql/playground";

    public const string Policy =
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; font-src 'self' data:; img-src 'self' data:; "
        + "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static readonly Dictionary<string, string> Assets = new(StringComparer.Ordinal)
    {
        ["graphiql.min.js"] = "text/javascript; charset=utf-8",
        ["graphiql.min.css"] = "text/css; charset=utf-8",
        ["react.production.min.js"] = "text/javascript; charset=utf-8",
        ["react-dom.production.min.js"] = "text/javascript; charset=utf-8",
        ["playground.js"] = "text/javascript; charset=utf-8",
        ["playground.css"] = "text/css; charset=utf-8",
        ["LICENSES.txt"] = "text/plain; charset=utf-8",
    };

    private static readonly Lazy<Dictionary<string, byte[]>> Files = new(() =>
        Assets.Keys.Append("index.html").ToDictionary(name => name, Read, StringComparer.Ordinal));

    /// <summary>A browser asking for a page (text/html before any JSON type), not a GraphQL client.</summary>
    public static bool WantsPage(HttpRequest request)
    {
        var accept = request.GetTypedHeaders().Accept;
        return accept.Count > 0
            && accept.Any(a => a.MediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase) && a.Quality is not 0)
            && !accept.Any(a => a.MediaType.Value is { } m && (m.Contains("json", StringComparison.OrdinalIgnoreCase) || m.Equals("text/event-stream", StringComparison.OrdinalIgnoreCase)));
    }

    public static async Task WritePageAsync(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = Policy;
        headers.XFrameOptions = "DENY";
        headers.CacheControl = "no-cache";
        context.Response.ContentType = "text/html; charset=utf-8";
        await context.Response.Body.WriteAsync(Files.Value["index.html"], context.RequestAborted);
    }

    public static async Task WriteAssetAsync(HttpContext context, string asset)
    {
        if (!Assets.TryGetValue(asset, out var type))
        {
            await Api.ApiErrorHandling.WriteAsync(context, StatusCodes.Status404NotFound, "not_found", "The playground has no such file.");
            return;
        }

        context.Response.ContentType = type;
        context.Response.Headers[HeaderNames.CacheControl] = "public, max-age=3600";
        await context.Response.Body.WriteAsync(Files.Value[asset], context.RequestAborted);
    }

    private static byte[] Read(string name)
    {
        using var stream = typeof(GraphQLPlayground).Assembly.GetManifestResourceStream("graphql-playground/" + name)
            ?? throw new InvalidOperationException($"The playground file {name} is not embedded in Herald.Server.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
