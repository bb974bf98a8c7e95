namespace Herald.Server.Idempotency;

/// <summary>
/// One <c>Idempotency-Key</c> of one caller. While <see cref="Completed"/> is false the first request is
/// still running; once true, <see cref="StatusCode"/>/<see cref="Body"/> are its response, replayed to repeats.
/// </summary>
public sealed record IdempotencyRecord
{
    public required string Caller { get; init; }
    public required string Key { get; init; }
    public required byte[] Fingerprint { get; init; }
    public bool Completed { get; init; }
    public int StatusCode { get; init; }
    public string? ContentType { get; init; }
    public string? Location { get; init; }
    public byte[]? Body { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
}
