using System.Text.Json;

namespace Herald.Client;

/// <summary>An event type to create: a kind of message (<c>order.created</c>) endpoints can subscribe to.</summary>
public sealed record EventTypeIn
{
    /// <summary>The name (letters, digits, <c>-_.</c>), e.g. <c>order.created</c>.</summary>
    public required string Name { get; init; }

    /// <summary>What the event means.</summary>
    public string? Description { get; init; }

    /// <summary>Archived types cannot be published with.</summary>
    public bool? Archived { get; init; }

    /// <summary>Marks the type as deprecated (still usable).</summary>
    public bool? Deprecated { get; init; }

    /// <summary>Versioned JSON schemas of the payload: <c>{"1": {"type": "object", …}}</c>.</summary>
    public JsonElement? Schemas { get; init; }

    /// <summary>A group to show the type under.</summary>
    public string? GroupName { get; init; }

    /// <summary>Feature flags that gate the type.</summary>
    public IReadOnlyList<string>? FeatureFlags { get; init; }
}

/// <summary>An event type's fields to replace (<c>PUT</c>); the name comes from the path. Fields left null are reset to their defaults.</summary>
public sealed record EventTypeUpdate
{
    /// <summary>What the event means.</summary>
    public string? Description { get; init; }

    /// <summary>Archived types cannot be published with.</summary>
    public bool? Archived { get; init; }

    /// <summary>Marks the type as deprecated.</summary>
    public bool? Deprecated { get; init; }

    /// <summary>Versioned JSON schemas of the payload.</summary>
    public JsonElement? Schemas { get; init; }

    /// <summary>A group to show the type under.</summary>
    public string? GroupName { get; init; }

    /// <summary>Feature flags that gate the type.</summary>
    public IReadOnlyList<string>? FeatureFlags { get; init; }
}

/// <summary>Fields of an event type to change; those left null stay as they are.</summary>
public sealed record EventTypePatch
{
    /// <summary>New description.</summary>
    public string? Description { get; init; }

    /// <summary>Archive (true) or unarchive (false).</summary>
    public bool? Archived { get; init; }

    /// <summary>Deprecate (true) or undeprecate (false).</summary>
    public bool? Deprecated { get; init; }

    /// <summary>New schemas.</summary>
    public JsonElement? Schemas { get; init; }

    /// <summary>New group name.</summary>
    public string? GroupName { get; init; }

    /// <summary>New feature flags.</summary>
    public IReadOnlyList<string>? FeatureFlags { get; init; }
}

/// <summary>An event type as the server has it.</summary>
public sealed record EventTypeOut
{
    /// <summary>The name.</summary>
    public required string Name { get; init; }

    /// <summary>What the event means.</summary>
    public string Description { get; init; } = "";

    /// <summary>Whether it is archived.</summary>
    public bool Archived { get; init; }

    /// <summary>Whether it is deprecated.</summary>
    public bool Deprecated { get; init; }

    /// <summary>The schemas; null when the list was read without <see cref="EventTypeListOptions.WithContent"/>.</summary>
    public JsonElement? Schemas { get; init; }

    /// <summary>The group it shows under.</summary>
    public string? GroupName { get; init; }

    /// <summary>Feature flags that gate it.</summary>
    public IReadOnlyList<string>? FeatureFlags { get; init; }

    /// <summary>When it was created (UTC).</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When it last changed (UTC).</summary>
    public required DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>Paging and filters of the event type list.</summary>
public sealed record EventTypeListOptions
{
    /// <summary>Items per page, 1 to 250.</summary>
    public int? Limit { get; init; }

    /// <summary>The iterator of a page to continue from.</summary>
    public string? Iterator { get; init; }

    /// <summary>Order by name.</summary>
    public ListOrder? Order { get; init; }

    /// <summary>Include archived event types.</summary>
    public bool? IncludeArchived { get; init; }

    /// <summary>Include the schemas.</summary>
    public bool? WithContent { get; init; }
}
