using System.Text.Json;

namespace Herald.Server.EventTypes;

/// <summary>Body of create, upsert (name from the path) and patch, as the Svix SDK's EventTypeIn / EventTypePatch.</summary>
public sealed record EventTypeIn
{
    /// <summary>The event type's name (letters, digits, `-`, `_`, `.`, `:`); on upsert it comes from the path.</summary>
    public string? Name { get; init; }
    /// <summary>Free text, at most 4096 characters.</summary>
    public string? Description { get; init; }
    /// <summary>True archives it: hidden from lists unless include_archived=true.</summary>
    public bool? Archived { get; init; }
    /// <summary>Marks it as deprecated; stored and returned, nothing else.</summary>
    public bool? Deprecated { get; init; }

    /// <summary>Versioned JSON schemas: <c>{"1": {"type": "object", …}}</c>.</summary>
    public JsonElement? Schemas { get; init; }
    /// <summary>Optional group (letters, digits, `-`, `_`, `.`) for display.</summary>
    public string? GroupName { get; init; }
    /// <summary>Up to 10 feature flags; stored and returned (Herald does not gate event types by them).</summary>
    public IReadOnlyList<string>? FeatureFlags { get; init; }
}

/// <summary>An event type.</summary>
public sealed record EventTypeOut
{
    /// <summary>The event type's name.</summary>
    public required string Name { get; init; }
    /// <summary>Free text; empty when none was given.</summary>
    public required string Description { get; init; }
    /// <summary>True when archived (hidden from lists unless include_archived=true).</summary>
    public required bool Archived { get; init; }
    /// <summary>True when marked deprecated.</summary>
    public required bool Deprecated { get; init; }
    /// <summary>Versioned JSON schemas of the payload; null when none were given or not asked for (list without with_content=true).</summary>
    public JsonElement? Schemas { get; init; }
    /// <summary>Optional group for display.</summary>
    public string? GroupName { get; init; }
    /// <summary>Feature flags, as given.</summary>
    public IReadOnlyList<string>? FeatureFlags { get; init; }
    /// <summary>When it was created.</summary>
    public required DateTimeOffset CreatedAt { get; init; }
    /// <summary>When it was last changed.</summary>
    public required DateTimeOffset UpdatedAt { get; init; }

    public static EventTypeOut From(EventType e, bool withContent = true) => new()
    {
        Name = e.Name,
        Description = e.Description,
        Archived = e.Archived,
        Deprecated = e.Deprecated,
        Schemas = withContent && e.Schemas is not null ? JsonDocument.Parse(e.Schemas).RootElement.Clone() : null,
        GroupName = e.GroupName,
        FeatureFlags = e.FeatureFlags,
        CreatedAt = e.CreatedAt,
        UpdatedAt = e.UpdatedAt,
    };
}
