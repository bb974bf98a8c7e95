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
}
