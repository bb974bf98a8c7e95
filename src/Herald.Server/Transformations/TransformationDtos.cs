using System.Text.Json;

namespace Herald.Server.Transformations;

/// <summary>Svix's EndpointTransformationOut.</summary>
public sealed record EndpointTransformationOut
{
    /// <summary>The JavaScript that defines handler(webhook); null when none was set.</summary>
    public string? Code { get; init; }
    /// <summary>True when it runs before each attempt.</summary>
    public required bool Enabled { get; init; }
    /// <summary>Svix's transformation variables; Herald has none, so always null.</summary>
    public IReadOnlyDictionary<string, string>? Variables { get; init; }
    /// <summary>When code or enabled last changed; null when never.</summary>
    public DateTimeOffset? UpdatedAt { get; init; }
}

/// <summary>Svix's EndpointTransformationPatch (and the 1.x EndpointTransformationIn): fields absent stay as they are.</summary>
public sealed record EndpointTransformationPatch
{
    /// <summary>The JavaScript defining handler(webhook), 10–51200 characters; null removes it.</summary>
    public string? Code { get; init; }
    /// <summary>Whether it runs before each attempt.</summary>
    public bool? Enabled { get; init; }
    /// <summary>Svix's transformation variables: not supported; null or empty only.</summary>
    public IReadOnlyDictionary<string, string>? Variables { get; init; }
}

/// <summary>Svix's TransformationSimulateIn: run code on a payload without sending anything.</summary>
public sealed record TransformationSimulateIn
{
    /// <summary>The JavaScript defining handler(webhook).</summary>
    public string? Code { get; init; }
    /// <summary>The event type the webhook object carries.</summary>
    public string? EventType { get; init; }
    /// <summary>Accepted for Svix's shape; not passed to the handler.</summary>
    public IReadOnlyList<string>? Channels { get; init; }
    /// <summary>The payload the webhook object carries (a JSON object).</summary>
    public JsonElement? Payload { get; init; }
    /// <summary>Svix's transformation variables: not supported; null or empty only.</summary>
    public IReadOnlyDictionary<string, string>? Variables { get; init; }
}

/// <summary>Svix's TransformationSimulateOut, plus the headers that would be sent.</summary>
public sealed record TransformationSimulateOut
{
    /// <summary>Where the webhook would go.</summary>
    public required string Url { get; init; }
    /// <summary>The body that would be sent, as JSON text.</summary>
    public required string Payload { get; init; }
    /// <summary>POST, PUT or PATCH.</summary>
    public required string Method { get; init; }
    /// <summary>True when the handler canceled the send.</summary>
    public required bool Cancel { get; init; }
    /// <summary>The endpoint's custom headers as the handler left them (Herald's addition).</summary>
    public required IReadOnlyDictionary<string, string> Headers { get; init; }
}
