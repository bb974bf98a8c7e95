using Herald.Server.Auth;

namespace Herald.Server.Storage;

/// <summary>What a change to an API key came to.</summary>
public enum ApiKeyChange
{
    Done,
    NotFound,

    /// <summary>Refused: it would leave no full-admin key that is neither revoked nor expiring.</summary>
    LastAdminKey,

    /// <summary>Refused: the key is revoked or expired, so there is nothing to rotate.</summary>
    Inactive,
}

/// <summary>API keys: the tokens with a name (<c>/auth/api-key</c>). Stored, looked up and authenticated as any token.</summary>
public interface IApiKeyStore
{
    /// <summary>The API keys (not app-portal tokens), revoked and expired ones included, by id.</summary>
    Task<Page<ApiToken>> ListApiKeysAsync(PageRequest page, CancellationToken cancellationToken);

    Task<ApiToken?> GetApiKeyAsync(string keyId, CancellationToken cancellationToken);

    /// <summary>
    /// Ends a key: with <paramref name="revoke"/> it is marked revoked at <paramref name="at"/> (and fails at once on every
    /// node), else its expiry moves to <paramref name="at"/> (only ever earlier). Refused, in the same transaction, when
    /// the key is the last full-admin key that neither is revoked nor expires, so the operator cannot lock themselves out.
    /// </summary>
    Task<ApiKeyChange> EndApiKeyAsync(string keyId, DateTimeOffset at, bool revoke, CancellationToken cancellationToken);

    /// <summary>
    /// Gives an active key a new secret (<paramref name="hash"/>, shown as <paramref name="prefix"/>). The replaced secret
    /// still works until <paramref name="previousValidUntil"/> (null: not at all); a secret replaced before that is dropped.
    /// </summary>
    Task<ApiKeyChange> RotateApiKeyAsync(string keyId, byte[] hash, string prefix, DateTimeOffset? previousValidUntil, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Records that the key authenticated a request at <paramref name="at"/> (<see cref="ApiKeyUsage"/> keeps this rare).</summary>
    Task TouchApiKeyAsync(string keyId, DateTimeOffset at, CancellationToken cancellationToken);
}
