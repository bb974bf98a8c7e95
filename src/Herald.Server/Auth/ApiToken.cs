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
    public bool IsAdmin => ApplicationId is null;
}
