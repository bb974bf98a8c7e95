namespace Herald.Server.Applications;

/// <summary>Body of create, upsert and patch (as the Svix SDK's ApplicationIn / ApplicationPatch).</summary>
public sealed record ApplicationIn
{
    public string? Name { get; init; }
    public int? ThrottleRate { get; init; }

    /// <summary>Svix 1.x name of <see cref="ThrottleRate"/> (deprecated there); <see cref="ThrottleRate"/> wins when both are sent, as in Svix.</summary>
    public int? RateLimit { get; init; }

    public string? Uid { get; init; }
    public Dictionary<string, string>? Metadata { get; init; }

    /// <summary>The throttle asked for under either name.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public int? Throttle => ThrottleRate ?? RateLimit;
}

public sealed record ApplicationOut
{
    public required string Id { get; init; }
    public string? Uid { get; init; }
    public required string Name { get; init; }
    public int? ThrottleRate { get; init; }

    /// <summary>The 1.x SDKs read the throttle under this name.</summary>
    public int? RateLimit => ThrottleRate;

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
