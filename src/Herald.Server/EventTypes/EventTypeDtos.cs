using System.Text.Json;

namespace Herald.Server.EventTypes;

/// <summary>Body of create, upsert (name from the path) and patch, as the Svix SDK's EventTypeIn / EventTypePatch.</summary>
public sealed record EventTypeIn
{
    public string? Name { get; init; }
    public string? Description { get; init; }
    public bool? Archived { get; init; }
    public bool? Deprecated { get; init; }

    /// <summary>Versioned JSON schemas: <c>{"1": {"type": "object", …}}</c>.</summary>
    public JsonElement? Schemas { get; init; }
    public string? GroupName { get; init; }
    public IReadOnlyList<string>? FeatureFlags { get; init; }
}

public sealed record EventTypeOut
{
    public required string Name { get; init; }
    public required string Description { get; init; }
    public required bool Archived { get; init; }
    public required bool Deprecated { get; init; }
    public JsonElement? Schemas { get; init; }
    public string? GroupName { get; init; }
    public IReadOnlyList<string>? FeatureFlags { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
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
