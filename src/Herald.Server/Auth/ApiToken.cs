namespace Herald.Server.Auth;

/// <summary>
/// A bearer token as stored: only its SHA-256 hash is kept. <see cref="ApplicationId"/> null means an
/// admin token; otherwise the token reaches that one application only, until <see cref="ExpiresAt"/>.
/// An API key (<c>/auth/api-key</c>) is a token with a <see cref="Name"/>; app-portal tokens have none.
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

    /// <summary>The API key's name; null for an app-portal token.</summary>
    public string? Name { get; init; }

    /// <summary>The first characters of the API key's secret, to tell keys apart (null for keys stored before keys had one).</summary>
    public string? Prefix { get; init; }

    /// <summary>When the key was revoked: it fails from then on, on every node.</summary>
    public DateTimeOffset? RevokedAt { get; init; }

    /// <summary>When the key last authenticated a request, to within a minute (<see cref="ApiKeyUsage"/>).</summary>
    public DateTimeOffset? LastUsedAt { get; init; }

    /// <summary>Until when the secret a rotation replaced is still accepted; null when there is none.</summary>
    public DateTimeOffset? PreviousSecretExpiresAt { get; init; }

    public bool IsAdmin => ApplicationId is null;

    public bool IsApiKey => Name is not null;
}
