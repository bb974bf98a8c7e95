namespace Herald.Server.Endpoints;

/// <summary>One signing key of an endpoint (<c>whsec_…</c>). A rotated-out key stays valid until <see cref="ExpiresAt"/>.</summary>
public sealed record EndpointSecretKey(string Key, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt = null);
