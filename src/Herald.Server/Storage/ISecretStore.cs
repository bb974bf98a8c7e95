using Herald.Server.Secrets;

namespace Herald.Server.Storage;

/// <summary>An endpoint's headers and signing keys as stored: sealed (<c>hk1:…</c>) or, from before sealing, plaintext.</summary>
public sealed record StoredEndpointSecrets(string EndpointId, string Headers, IReadOnlyList<string> Keys);

/// <summary>One stored value to rewrite, only if it is still <paramref name="OldValue"/> (another node may have been first).</summary>
public sealed record StoredSecretChange(SealedField Field, string OldValue, string NewValue);

/// <summary>What the start-up pass over sealed values (Secrets/SecretResealing) needs from storage.</summary>
public interface ISecretStore
{
    /// <summary>Up to <paramref name="limit"/> endpoints' stored headers and keys, by endpoint id after <paramref name="afterEndpointId"/>.</summary>
    Task<IReadOnlyList<StoredEndpointSecrets>> ListStoredSecretsAsync(string? afterEndpointId, int limit, CancellationToken cancellationToken);

    /// <summary>Applies the changes in one transaction, each only where the stored value is still the old one; returns how many applied.</summary>
    Task<int> ReplaceStoredSecretsAsync(IReadOnlyList<StoredSecretChange> changes, CancellationToken cancellationToken);

    /// <summary>
    /// After values were rewritten: makes sure the database files keep no copy of the old ones where the engine allows it
    /// (SQLite zeroes freed space and checkpoints its WAL into the main file; PostgreSQL leaves this to VACUUM).
    /// </summary>
    Task ScrubRewrittenSecretsAsync(CancellationToken cancellationToken);
}
