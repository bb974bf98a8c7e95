namespace Herald.Server.Endpoints;

/// <summary>
/// A subscription of an application: where its events go and which ones. Named HeraldEndpoint because
/// ASP.NET Core already owns the name <c>Endpoint</c>.
/// </summary>
public sealed record HeraldEndpoint
{
    public required string Id { get; init; }
    public required string ApplicationId { get; init; }
    public string? Uid { get; init; }
    public required string Url { get; init; }
    public string Description { get; init; } = "";
    public IReadOnlyList<string>? EventTypes { get; init; }
    public IReadOnlyList<string>? Channels { get; init; }
    public int? ThrottleRate { get; init; }

    /// <summary>Svix 1.x's deprecated endpoint version (at least 1); kept for the clients that send it.</summary>
    public int Version { get; init; } = 1;
    public bool Disabled { get; init; }
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>HTTP timeout of its attempts (1–30 s); null uses the server default.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Its transformation (Transformations/), changed only through the transformation route; null: none was ever set.</summary>
    public EndpointTransformation? Transformation { get; init; }

    /// <summary>Its ownership verification (EndpointVerification.cs); null: none, deliveries start at once.</summary>
    public EndpointVerification? Verification { get; init; }

    /// <summary>Since when every attempt has failed (null while healthy); drives auto-disable.</summary>
    public DateTimeOffset? FailingSince { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>An endpoint's JavaScript <c>handler(webhook)</c>, run before each attempt while <see cref="Enabled"/>.</summary>
public sealed record EndpointTransformation(string? Code, bool Enabled, DateTimeOffset? UpdatedAt)
{
    public bool Runs => Enabled && !string.IsNullOrEmpty(Code);
}
