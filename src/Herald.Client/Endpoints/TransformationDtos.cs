using System.Text.Json;

namespace Herald.Client;

/// <summary>An endpoint's transformation: JavaScript that may change each webhook before it is sent (Svix's <c>EndpointTransformationOut</c>).</summary>
public sealed record EndpointTransformationOut
{
    /// <summary>The JavaScript that defines <c>handler(webhook)</c>; null when none was set.</summary>
    public string? Code { get; init; }

    /// <summary>True when it runs before each attempt.</summary>
    public bool Enabled { get; init; }

    /// <summary>When the code or <see cref="Enabled"/> last changed (UTC); null when never.</summary>
    public DateTimeOffset? UpdatedAt { get; init; }
}

/// <summary>Changes to an endpoint's transformation (Svix's <c>EndpointTransformationPatch</c>): fields left null stay as they are.</summary>
public sealed record EndpointTransformationPatch
{
    /// <summary>New JavaScript defining <c>handler(webhook)</c>, 10–51,200 characters. To remove the code, use <see cref="EndpointsApi.RemoveTransformationCodeAsync"/>.</summary>
    public string? Code { get; init; }

    /// <summary>Run it before each attempt (true) or not (false).</summary>
    public bool? Enabled { get; init; }
}

/// <summary>Transformation code and a payload to try it on, without sending anything (Svix's <c>TransformationSimulateIn</c>).</summary>
public sealed record TransformationSimulateIn
{
    /// <summary>The JavaScript defining <c>handler(webhook)</c>.</summary>
    public required string Code { get; init; }

    /// <summary>The event type the webhook object carries.</summary>
    public required string EventType { get; init; }

    /// <summary>The payload (a JSON object) the webhook object carries.</summary>
    public required JsonElement Payload { get; init; }
}

/// <summary>What the webhook would be after the transformation (Svix's <c>TransformationSimulateOut</c>, plus headers).</summary>
public sealed record TransformationSimulateOut
{
    /// <summary>Where it would go.</summary>
    public required string Url { get; init; }

    /// <summary>The body, as JSON text.</summary>
    public required string Payload { get; init; }

    /// <summary>POST, PUT or PATCH.</summary>
    public required string Method { get; init; }

    /// <summary>True when the handler canceled the send.</summary>
    public bool Cancel { get; init; }

    /// <summary>The endpoint's custom headers as the handler left them.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();
}

/// <summary>The body that removes an endpoint's transformation: <c>{"code": null, "enabled": false}</c>.</summary>
internal sealed record TransformationRemoval
{
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.Never)]
    public string? Code { get; init; }

    public bool Enabled { get; init; }
}
