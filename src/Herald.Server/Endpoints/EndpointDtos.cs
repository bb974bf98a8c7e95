namespace Herald.Server.Endpoints;

/// <summary>
/// Body of create, upsert and patch (the Svix SDK's EndpointIn / EndpointUpdate / EndpointPatch). The 1.x SDKs send
/// <see cref="FilterTypes"/>, <see cref="RateLimit"/> and <see cref="Version"/>; <see cref="EndpointInput"/> folds the
/// first two into their 2.x names.
/// </summary>
public sealed record EndpointIn
{
    public string? Url { get; init; }
    public string? Description { get; init; }
    public int? ThrottleRate { get; init; }
    public string? Uid { get; init; }
    public bool? Disabled { get; init; }
    public IReadOnlyList<string>? EventTypes { get; init; }
    public IReadOnlyList<string>? Channels { get; init; }
    public string? Secret { get; init; }
    public Dictionary<string, string>? Metadata { get; init; }
    public Dictionary<string, string>? Headers { get; init; }

    /// <summary>Herald's addition: HTTP timeout of attempts to this endpoint, 1–30 s (default 15 s).</summary>
    public int? TimeoutSeconds { get; init; }

    /// <summary>Svix 1.x name of <see cref="EventTypes"/>.</summary>
    public IReadOnlyList<string>? FilterTypes { get; init; }

    /// <summary>Svix 1.x name of <see cref="ThrottleRate"/> (deprecated there).</summary>
    public int? RateLimit { get; init; }

    /// <summary>Svix 1.x's deprecated endpoint version: at least 1, 1 when not sent; stored and returned, nothing else.</summary>
    public int? Version { get; init; }
}

public sealed record EndpointOut
{
    public required string Id { get; init; }
    public string? Uid { get; init; }
    public required string Url { get; init; }
    public required string Description { get; init; }
    public int? ThrottleRate { get; init; }
    public required bool Disabled { get; init; }
    public IReadOnlyList<string>? EventTypes { get; init; }
    public IReadOnlyList<string>? Channels { get; init; }
    public required IReadOnlyDictionary<string, string> Metadata { get; init; }
    public int? TimeoutSeconds { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }

    // The 1.x SDKs read these names (EndpointOut.version is required there); the 2.x ones read the ones above.
    public IReadOnlyList<string>? FilterTypes => EventTypes;
    public int? RateLimit => ThrottleRate;
    public required int Version { get; init; }

    public static EndpointOut From(HeraldEndpoint e) => new()
    {
        Version = e.Version,
        TimeoutSeconds = e.Timeout is { } t ? (int)t.TotalSeconds : null,
        Id = e.Id,
        Uid = e.Uid,
        Url = e.Url,
        Description = e.Description,
        ThrottleRate = e.ThrottleRate,
        Disabled = e.Disabled,
        EventTypes = e.EventTypes,
        Channels = e.Channels,
        Metadata = e.Metadata,
        CreatedAt = e.CreatedAt,
        UpdatedAt = e.UpdatedAt,
    };
}

public sealed record EndpointSecretOut(string Key);

public sealed record EndpointSecretRotateIn
{
    public string? Key { get; init; }
    public long? GracePeriodSeconds { get; init; }
}

public sealed record EndpointHeadersIn
{
    public Dictionary<string, string>? Headers { get; init; }
    public IReadOnlyList<string>? DeleteHeaders { get; init; }
}

public sealed record EndpointHeadersOut(IReadOnlyDictionary<string, string> Headers, IReadOnlyList<string> Sensitive);
