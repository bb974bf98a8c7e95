namespace Herald.Server.EventTypes;

/// <summary>A named kind of event (<c>invoice.paid</c>). Deleting archives it; archived types take no new messages or filters.</summary>
public sealed record EventType
{
    public required string Name { get; init; }
    public string Description { get; init; } = "";
    public bool Archived { get; init; }
    public bool Deprecated { get; init; }

    /// <summary>Versioned JSON schemas as raw JSON (<c>{"1": {...}}</c>), or null.</summary>
    public string? Schemas { get; init; }
    public string? GroupName { get; init; }
    public IReadOnlyList<string>? FeatureFlags { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }
}
