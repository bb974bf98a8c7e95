using System.Text.Json;

namespace Herald.Receiver.Sample;

/// <summary>The payload this receiver expects; MessageId is filled from the verified webhook-id.</summary>
public sealed record OrderEvent(string Type, JsonElement Data)
{
    public string? MessageId { get; init; }
}
