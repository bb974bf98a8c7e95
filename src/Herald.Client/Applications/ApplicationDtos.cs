namespace Herald.Client;

/// <summary>An application to create or replace: the tenant whose endpoints receive its messages.</summary>
public sealed record ApplicationIn
{
    /// <summary>Display name (required).</summary>
    public required string Name { get; init; }

    /// <summary>Your own id for the application (letters, digits, <c>-_.</c>); usable wherever an app id is.</summary>
    public string? Uid { get; init; }

    /// <summary>Maximum deliveries per second to each endpoint of the application.</summary>
    public int? ThrottleRate { get; init; }

    /// <summary>Free-form string pairs stored with the application.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}

/// <summary>Fields of an application to change; those left null stay as they are.</summary>
public sealed record ApplicationPatch
{
    /// <summary>New display name.</summary>
    public string? Name { get; init; }

    /// <summary>New uid.</summary>
    public string? Uid { get; init; }

    /// <summary>New throttle rate.</summary>
    public int? ThrottleRate { get; init; }

    /// <summary>New metadata (replaces all of it; empty clears it).</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}

/// <summary>An application as the server has it.</summary>
public sealed record ApplicationOut
{
    /// <summary>Herald's id (<c>app_…</c>).</summary>
    public required string Id { get; init; }

    /// <summary>Your id, if you gave one.</summary>
    public string? Uid { get; init; }

    /// <summary>Display name.</summary>
    public required string Name { get; init; }

    /// <summary>Maximum deliveries per second to each endpoint, if limited.</summary>
    public int? ThrottleRate { get; init; }

    /// <summary>Free-form string pairs.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    /// <summary>When it was created (UTC).</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When it last changed (UTC).</summary>
    public required DateTimeOffset UpdatedAt { get; init; }
}
