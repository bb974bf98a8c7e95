using System.Text.Json;
using System.Text.Json.Serialization;
using Herald.Server.Applications;

namespace Herald.Server.Messages;

/// <summary>Body of message create (the Svix SDK's MessageIn).</summary>
public sealed record MessageIn
{
    /// <summary>Your own id for the message (letters, digits, `-`, `_`, `.`; at most 256); GET /msg/{msg_id} also finds the message by it.</summary>
    public string? EventId { get; init; }
    /// <summary>The event type (required); endpoints filter on it.</summary>
    public string? EventType { get; init; }
    /// <summary>The JSON object sent to endpoints (required).</summary>
    public JsonElement? Payload { get; init; }
    /// <summary>At most 10 channels; only endpoints subscribed to one of them (or to no channel) get the message.</summary>
    public IReadOnlyList<string>? Channels { get; init; }
    /// <summary>At most 5 tags, for filtering lists.</summary>
    public IReadOnlyList<string>? Tags { get; init; }

    /// <summary>Creates the application named by the path's uid when it does not exist yet.</summary>
    public ApplicationIn? Application { get; init; }

    /// <summary>No webhook is attempted before this time; at least one minute and at most 24 hours ahead (Svix's bounds).</summary>
    public DateTimeOffset? DeliverAt { get; init; }

    /// <summary>Days to keep the payload (1–90); exclusive with `payloadRetentionHours`; without either, the server default (Herald:Retention:DefaultPayloadRetention, 90 days).</summary>
    public long? PayloadRetentionPeriod { get; init; }

    /// <summary>Hours to keep the payload (1–2160); exclusive with `payloadRetentionPeriod`.</summary>
    public long? PayloadRetentionHours { get; init; }
}

/// <summary>A message as stored.</summary>
public sealed record MessageOut
{
    /// <summary>The message's id (`msg_…`).</summary>
    public required string Id { get; init; }
    /// <summary>The publisher's own unique id for the message, if it gave one; GET /msg/{msg_id} also finds the message by it.</summary>
    public string? EventId { get; init; }
    /// <summary>The event type the message was published with.</summary>
    public required string EventType { get; init; }
    /// <summary>The JSON payload; `{}` when it was expunged, past its retention, or not asked for (`with_content=false`).</summary>
    public required RawJson Payload { get; init; }
    /// <summary>The message's channels; only endpoints subscribed to one of them (or to none) get it.</summary>
    public IReadOnlyList<string>? Channels { get; init; }
    /// <summary>The message's tags (filterable in lists).</summary>
    public IReadOnlyList<string>? Tags { get; init; }
    /// <summary>When the message was published.</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>When the message is scheduled for (null: sent at once).</summary>
    public DateTimeOffset? DeliverAt { get; init; }

    public static MessageOut From(Message m, bool withContent) => new()
    {
        Id = m.Id,
        EventId = m.EventId,
        EventType = m.EventType,
        // Without content, or once expunged, the payload is an empty object, as Svix answers.
        Payload = withContent && m.Payload is not null ? new RawJson(m.Payload) : RawJson.EmptyObject,
        Channels = m.Channels,
        Tags = m.Tags,
        Timestamp = m.CreatedAt,
        DeliverAt = m.DeliverAt,
    };
}

/// <summary>JSON bytes written to a response as they are stored, without parsing them again.</summary>
[JsonConverter(typeof(RawJsonConverter))]
public readonly record struct RawJson(byte[] Utf8)
{
    public static readonly RawJson EmptyObject = new("{}"u8.ToArray());
}

internal sealed class RawJsonConverter : JsonConverter<RawJson>
{
    public override RawJson Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        return new RawJson(JsonSerializer.SerializeToUtf8Bytes(document.RootElement, MessagesJsonContext.Default.JsonElement));
    }

    // Stored payloads were validated as JSON when they were published.
    public override void Write(Utf8JsonWriter writer, RawJson value, JsonSerializerOptions options) =>
        writer.WriteRawValue(value.Utf8, skipInputValidation: true);
}

[JsonSerializable(typeof(JsonElement))]
internal sealed partial class MessagesJsonContext : JsonSerializerContext;
