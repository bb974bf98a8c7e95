namespace Herald.Server.Applications;

/// <summary>Body of create, upsert and patch (as the Svix SDK's ApplicationIn / ApplicationPatch).</summary>
public sealed record ApplicationIn
{
    /// <summary>Display name, 1–256 characters; required on create and upsert.</summary>
    public string? Name { get; init; }
    /// <summary>At most this many webhooks per second to each of its endpoints, 1–100000; null: no limit.</summary>
    public int? ThrottleRate { get; init; }

    /// <summary>Svix 1.x name of `throttleRate` (deprecated there), 1–100000; `throttleRate` wins when both are sent, as in Svix.</summary>
    public int? RateLimit { get; init; }

    /// <summary>Optional unique id of your own (letters, digits, `-`, `_`, `.`; at most 256), usable in place of the id.</summary>
    public string? Uid { get; init; }
    /// <summary>Free string key–value pairs, stored and returned as given (at most 64).</summary>
    public Dictionary<string, string>? Metadata { get; init; }

    /// <summary>The throttle asked for under either name.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public int? Throttle => ThrottleRate ?? RateLimit;
}

/// <summary>An application: the owner of endpoints and messages.</summary>
public sealed record ApplicationOut
{
    /// <summary>The application's id (`app_…`).</summary>
    public required string Id { get; init; }
    /// <summary>The optional unique id given at creation, usable in place of the id.</summary>
    public string? Uid { get; init; }
    /// <summary>Display name.</summary>
    public required string Name { get; init; }
    /// <summary>At most this many webhooks per second to each endpoint; null: no limit.</summary>
    public int? ThrottleRate { get; init; }

    /// <summary>The 1.x SDKs read the throttle under this name.</summary>
    public int? RateLimit => ThrottleRate;

    /// <summary>Free string key–value pairs.</summary>
    public required IReadOnlyDictionary<string, string> Metadata { get; init; }
    /// <summary>When it was created.</summary>
    public required DateTimeOffset CreatedAt { get; init; }
    /// <summary>When it was last changed.</summary>
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
