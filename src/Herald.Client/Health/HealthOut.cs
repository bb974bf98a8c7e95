namespace Herald.Client;

/// <summary>Whether the server is up and its storage reachable.</summary>
/// <param name="Status"><c>ok</c>, or <c>storage_unavailable</c> (HTTP 503).</param>
/// <param name="Version">The server's version.</param>
public sealed record HealthOut(string Status, string Version)
{
    /// <summary>True when <see cref="Status"/> is <c>ok</c>.</summary>
    public bool IsHealthy => Status == "ok";
}
