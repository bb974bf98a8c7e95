namespace Herald.Server.Applications;

/// <summary>Body of create, upsert and patch (as the Svix SDK's ApplicationIn / ApplicationPatch).</summary>
public sealed record ApplicationIn
{
    public string? Name { get; init; }
    public int? ThrottleRate { get; init; }
    public string? Uid { get; init; }
    public Dictionary<string, string>? Metadata { get; init; }
}

public sealed record ApplicationOut
{
    public required string Id { get; init; }
    public string? Uid { get; init; }
    public required string Name { get; init; }
    public int? ThrottleRate { get; init; }
    public required IReadOnlyDictionary<string, string> Metadata { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }

    public static ApplicationOut From(Application a) => new()
    {
        Id = a.Id,
        Uid = a.Uid,
        Name = a.Name,
        ThrottleRate = a.ThrottleRate,
        Metadata = a.Metadata,
        CreatedAt = a.CreatedAt,
        UpdatedAt = a.UpdatedAt,
    };
}
