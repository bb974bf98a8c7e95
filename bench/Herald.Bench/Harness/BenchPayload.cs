using System.Text;
using System.Text.Json;

namespace Herald.Bench.Harness;

/// <summary>
/// The events the benchmark publishes: <c>{"t": publish timestamp, "seq": number, "data": padding}</c>, about 200
/// bytes, so the receiver and the pull consumers can measure publish→receive latency from the payload alone.
/// </summary>
internal static class BenchPayload
{
    public const string EventType = "bench.event";

    private static readonly string Padding = new('x', 160);

    /// <summary>The payload alone, as Herald delivers it (and as the ceiling's load generator sends it).</summary>
    public static byte[] Payload(long timestamp, long seq) =>
        Encoding.UTF8.GetBytes($$"""{"t":{{timestamp}},"seq":{{seq}},"data":"{{Padding}}"}""");

    /// <summary>The body of <c>POST /api/v1/app/{app}/msg</c>.</summary>
    public static byte[] Message(long timestamp, long seq) =>
        Encoding.UTF8.GetBytes($$$"""{"eventType":"{{{EventType}}}","payload":{"t":{{{timestamp}}},"seq":{{{seq}}},"data":"{{{Padding}}}"}}""");

    /// <summary>Reads <c>t</c> and <c>seq</c> from raw payload bytes (a webhook body).</summary>
    public static bool TryRead(ReadOnlySpan<byte> json, out long timestamp, out long seq)
    {
        timestamp = seq = -1;
        var reader = new Utf8JsonReader(json);
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType != JsonTokenType.PropertyName || reader.CurrentDepth != 1)
                {
                    continue;
                }

                if (reader.ValueTextEquals("t"u8) && reader.Read())
                {
                    timestamp = reader.GetInt64();
                }
                else if (reader.ValueTextEquals("seq"u8) && reader.Read())
                {
                    seq = reader.GetInt64();
                }
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            return false;
        }

        return timestamp >= 0 && seq >= 0;
    }

    /// <summary>Reads <c>t</c> and <c>seq</c> from a payload the poller returned.</summary>
    public static bool TryRead(JsonElement payload, out long timestamp, out long seq)
    {
        timestamp = seq = -1;
        return payload.ValueKind == JsonValueKind.Object
            && payload.TryGetProperty("t", out var t) && t.TryGetInt64(out timestamp)
            && payload.TryGetProperty("seq", out var s) && s.TryGetInt64(out seq);
    }
}
