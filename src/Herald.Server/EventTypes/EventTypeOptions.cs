namespace Herald.Server.EventTypes;

/// <summary>Whether publishing checks payloads against the event type's JSON Schema. Bound from <c>Herald:EventTypes</c>.</summary>
public sealed class EventTypeOptions
{
    public const string Section = "Herald:EventTypes";

    /// <summary>
    /// <c>Off</c> (default, as Svix): schemas are stored and shown, never enforced. <c>Declared</c>: a message whose event
    /// type has a schema is refused (422) unless its payload is valid against the newest version; event types without
    /// one take anything. <c>Required</c>: as Declared, and a message whose event type is unknown or has no schema is refused.
    /// </summary>
    public PayloadValidation PayloadValidation { get; set; } = PayloadValidation.Off;
}

/// <summary>See <see cref="EventTypeOptions.PayloadValidation"/>.</summary>
public enum PayloadValidation
{
    Off,
    Declared,
    Required,
}
