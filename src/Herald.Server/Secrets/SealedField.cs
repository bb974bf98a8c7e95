namespace Herald.Server.Secrets;

/// <summary>
/// Where a sealed value lives: its column and its endpoint. Sealing binds the value to both (AES-GCM associated data),
/// so a ciphertext copied to another endpoint's row, or from the headers column to the secrets one, does not open.
/// </summary>
public readonly record struct SealedField(string Column, string EndpointId)
{
    public const string SecretColumn = "endpoint_secrets.key";
    public const string HeadersColumn = "endpoints.headers";

    public bool IsHeaders => Column == HeadersColumn;

    public static SealedField EndpointSecret(string endpointId) => new(SecretColumn, endpointId);

    public static SealedField EndpointHeaders(string endpointId) => new(HeadersColumn, endpointId);
}
