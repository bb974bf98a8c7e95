namespace Herald.Server.Secrets;

/// <summary>A stored value that no configured main key opens: sealed with a key that is not configured, or altered.</summary>
internal sealed class SecretUnreadableException(SealedField field, string? keyId)
    : InvalidOperationException(keyId is null
        ? $"The {field.Column} of endpoint {field.EndpointId} does not open with its main key: it was altered or is damaged."
        : $"The {field.Column} of endpoint {field.EndpointId} is sealed with main key {keyId}, which is not configured (Herald:Secrets).")
{
    public SealedField Field { get; } = field;

    /// <summary>The key id the value names when that key is not configured; null when the key is there but the value does not open.</summary>
    public string? MissingKeyId { get; } = keyId;
}
