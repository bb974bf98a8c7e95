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

    /// <summary>Set when the endpoint is a FIFO endpoint: its messages strictly in sequence order (Delivery/FifoLine.cs).</summary>
    public EndpointFifo? Fifo { get; init; }
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

/// <summary>
/// A FIFO endpoint's line: what an exhausted message does to it, and since when it is stopped (null: running).
/// <see cref="StoppedAt"/> is written by the delivery path and the operator's routes only, never by endpoint PUT/PATCH.
/// </summary>
public sealed record EndpointFifo(FifoExhaustion OnExhaustion, DateTimeOffset? StoppedAt = null);

/// <summary>What a FIFO endpoint does when a message exhausts its retries.</summary>
public enum FifoExhaustion
{
    /// <summary>The line stops until an operator resumes it, resends or recovers (the default: order above all).</summary>
    Stop = 0,

    /// <summary>The message is given up (as on any endpoint) and the line goes on with the next one.</summary>
    Skip = 1,
}
