using System.ComponentModel.DataAnnotations;

namespace Herald.Server.GraphQL;

/// <summary>Limits of the GraphQL API at <c>/graphql</c> (docs/GRAPHQL.md). Bound from <c>Herald:GraphQL</c>, validated on start.</summary>
public sealed class GraphQLOptions
{
    public const string Section = "Herald:GraphQL";

    /// <summary>Serve <c>/graphql</c> at all. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Answer introspection (<c>__schema</c>, <c>__type</c>); off, such a query is refused with <c>INTROSPECTION_DISABLED</c>. Default true.</summary>
    public bool Introspection { get; set; } = true;

    /// <summary>Deepest nesting of fields a query may have; deeper ones are refused before they run. Default 20 (the standard introspection query needs 15).</summary>
    [Range(2, 100)]
    public int MaxDepth { get; set; } = 20;

    /// <summary>
    /// Largest estimated cost of a query (graphql-dotnet's complexity analysis: a field costs 1, a connection field
    /// multiplies what it holds by its <c>first</c>/<c>last</c>); costlier ones are refused before they run. Default 50 000.
    /// </summary>
    [Range(10, 10_000_000)]
    public int MaxComplexity { get; set; } = 50_000;

    /// <summary>Largest GraphQL request body (or GET query string) in bytes; larger ones get 413. Default 64 KiB.</summary>
    [Range(1024, 16 * 1024 * 1024)]
    public int MaxRequestBytes { get; set; } = 64 * 1024;

    /// <summary>Most operations one batched request (a JSON array) may hold; 1 turns batching off. Default 10.</summary>
    [Range(1, 100)]
    public int MaxBatchSize { get; set; } = 10;

    /// <summary>
    /// Most subscription connections (GraphQL-over-SSE streams and <c>graphql-transport-ws</c> WebSockets) one node holds
    /// at once; past it, a new one gets 429 (<c>TOO_MANY_CONNECTIONS</c>). Default 500.
    /// </summary>
    [Range(1, 100_000)]
    public int MaxConnections { get; set; } = 500;

    /// <summary>Most subscriptions running at once on one WebSocket; past it, a <c>subscribe</c> gets an <c>error</c>. Default 20.</summary>
    [Range(1, 1000)]
    public int MaxSubscriptionsPerConnection { get; set; } = 20;

    /// <summary>How long a WebSocket may take to send <c>connection_init</c> before it is closed with 4408. Default 10 s.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan ConnectionInitTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How often a quiet connection shows it is alive: an SSE comment, a WebSocket <c>ping</c>. Keeps proxies from
    /// cutting idle streams. Default 15 s.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>A WebSocket with no subscription running for this long is closed (1000, "idle"). Default 5 minutes.</summary>
    [Range(typeof(TimeSpan), "00:00:05", "01:00:00")]
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How often an <c>attemptCompleted</c> subscription reads storage for attempts recorded on other nodes of a cluster
    /// (this node's own attempts wake it at once). Default 2 s.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan AttemptPollInterval { get; set; } = TimeSpan.FromSeconds(2);
}
