namespace Herald.Server.Auth;

/// <summary>
/// A bearer token as stored: only its SHA-256 hash is kept. <see cref="ApplicationId"/> null means an
/// admin token; otherwise the token reaches that one application only, until <see cref="ExpiresAt"/>.
/// </summary>
public sealed record ApiToken
{
    public required string Id { get; init; }
    public required byte[] Hash { get; init; }
    public string? ApplicationId { get; init; }
    public DateTimeOffset? ExpiresAt { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>App-portal <c>readOnly</c>: every write route answers 403 <c>read_only_token</c>.</summary>
    public bool ReadOnly { get; init; }

    /// <summary>App-portal <c>capabilities</c> (Svix AppPortalCapability names); null: all of them.</summary>
    public IReadOnlyList<string>? Capabilities { get; init; }

    /// <summary>App-portal <c>sessionId</c>: <c>expire-all</c> can expire one session's tokens.</summary>
    public string? SessionId { get; init; }

    public bool IsAdmin => ApplicationId is null;
}
