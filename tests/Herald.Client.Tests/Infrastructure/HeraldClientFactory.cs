using Herald.Server.Tests.Infrastructure;

namespace Herald.Client.Tests.Infrastructure;

/// <summary>The client under test on the server tests' in-memory Herald (<see cref="HeraldApplication"/>, linked as source).</summary>
public static class HeraldClientFactory
{
    /// <summary>The client under test, with the admin token unless another is given.</summary>
    /// <param name="herald">The in-memory server.</param>
    /// <param name="token">The bearer token; null sends none.</param>
    /// <param name="handlers">Handlers between the client and the server (recording, failing).</param>
    public static HeraldClient CreateHeraldClient(this HeraldApplication herald, string? token = HeraldApplication.AdminToken, params DelegatingHandler[] handlers) =>
        herald.CreateHeraldClient(new HeraldClientOptions { Token = token }, handlers);

    public static HeraldClient CreateHeraldClient(this HeraldApplication herald, HeraldClientOptions options, params DelegatingHandler[] handlers) =>
        new(herald.CreateDefaultClient(handlers), options);
}
