namespace Herald.Server.Auth;

/// <summary>A new API key.</summary>
public sealed record ApiKeyIn
{
    /// <summary>What the key is for (e.g. `deploy-pipeline`): 1 to 256 characters on one line.</summary>
    public string? Name { get; init; }

    /// <summary>What the key may reach: `admin`, `admin:read`, `app:{app_id}` or `app:{app_id}:read` (an application's id or uid). A list resolves to one of these.</summary>
    public IReadOnlyList<string>? Scopes { get; init; }

    /// <summary>Seconds until the key expires: 60 to 315360000 (10 years); none: it does not expire.</summary>
    public long? Expiry { get; init; }
}

/// <summary>Options of rotating an API key.</summary>
public sealed record ApiKeyRotateIn
{
    /// <summary>Seconds the replaced secret keeps working, so clients can move over: 0 (it stops now; the default) to 604800 (7 days).</summary>
    public long? Expiry { get; init; }
}

/// <summary>Options of expiring an API key.</summary>
public sealed record ApiKeyExpireIn
{
    /// <summary>Seconds until the key expires: 0 (now; the default) to 315360000 (10 years). An earlier expiry is kept.</summary>
    public long? Expiry { get; init; }
}

/// <summary>An API key, without its secret.</summary>
/// <param name="Id">The key's id (`tok_…`).</param>
/// <param name="Name">What the key is for.</param>
/// <param name="Prefix">The first characters of its secret, to tell keys apart (null for keys stored before Herald kept one).</param>
/// <param name="Scopes">What it may reach: one of `admin`, `admin:read`, `app:{app_id}`, `app:{app_id}:read`.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="ExpiresAt">When it expires (or expired); null: never.</param>
/// <param name="RevokedAt">When it was revoked; null: it was not.</param>
/// <param name="LastUsedAt">When it last authenticated a request, to within a minute; null: never.</param>
/// <param name="PreviousSecretExpiresAt">Until when the secret its last rotation replaced still works; null: it no longer does.</param>
public sealed record ApiKeyOut(
    string Id, string Name, string? Prefix, IReadOnlyList<string> Scopes, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt,
    DateTimeOffset? RevokedAt, DateTimeOffset? LastUsedAt, DateTimeOffset? PreviousSecretExpiresAt)
{
    public static ApiKeyOut From(ApiToken key) => new(
        key.Id, key.Name ?? "", key.Prefix, [new ApiScope(key.ApplicationId, key.ReadOnly).ToString()], key.CreatedAt, key.ExpiresAt,
        key.RevokedAt, key.LastUsedAt, key.PreviousSecretExpiresAt);
}

/// <summary>An API key with its secret: the only answer that shows it (creating or rotating the key). Never stored for Idempotency-Key replays.</summary>
/// <param name="Id">The key's id (`tok_…`).</param>
/// <param name="Name">What the key is for.</param>
/// <param name="Prefix">The first characters of its secret.</param>
/// <param name="Scopes">What it may reach.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="ExpiresAt">When it expires; null: never.</param>
/// <param name="PreviousSecretExpiresAt">Until when the replaced secret still works (after a rotation with `expiry`).</param>
/// <param name="Key">The secret (send as `Authorization: Bearer`). Shown only now: Herald keeps only its hash.</param>
public sealed record ApiKeySecretOut(
    string Id, string Name, string? Prefix, IReadOnlyList<string> Scopes, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt,
    DateTimeOffset? PreviousSecretExpiresAt, string Key)
{
    public static ApiKeySecretOut From(ApiToken key, string secret) => new(
        key.Id, key.Name ?? "", key.Prefix, [new ApiScope(key.ApplicationId, key.ReadOnly).ToString()], key.CreatedAt, key.ExpiresAt,
        key.PreviousSecretExpiresAt, secret);
}
