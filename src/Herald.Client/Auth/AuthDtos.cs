using System.Text.Json.Serialization;
using Herald.Client.Http;

namespace Herald.Client;

/// <summary>What an application token may do and how long it lives.</summary>
public sealed record AppPortalAccessIn
{
    /// <summary>When the path names an application uid that does not exist yet, the application is created with this.</summary>
    public ApplicationIn? Application { get; init; }

    /// <summary>A read-only token.</summary>
    public bool? ReadOnly { get; init; }

    /// <summary>Capabilities granted (Svix compatibility).</summary>
    public IReadOnlyList<string>? Capabilities { get; init; }

    /// <summary>Feature flags the portal shows (Svix compatibility).</summary>
    public IReadOnlyList<string>? FeatureFlags { get; init; }

    /// <summary>Token lifetime, at most 7 days (the server's default).</summary>
    [JsonConverter(typeof(WholeSecondsConverter))]
    public TimeSpan? Expiry { get; init; }

    /// <summary>A session id (Svix compatibility).</summary>
    public string? SessionId { get; init; }
}

/// <summary>An application token and the app-portal URL that carries it.</summary>
/// <param name="Url">The app portal, signed in with the token.</param>
/// <param name="Token">A bearer token that reaches this one application only.</param>
public sealed record AppPortalAccessOut(string Url, string Token);
