using System.ComponentModel.DataAnnotations;

namespace Herald.Server.Storage;

/// <summary>
/// How many objects of a kind one application may hold, bound from <c>Herald:Limits</c>; 0 = no limit. These are the
/// objects an app-portal token (a customer) can create. Each limit is checked by the storage write that creates the
/// object, in its transaction (on PostgreSQL under a lock on the application's row), so it holds across cluster nodes
/// and against concurrent requests; a refused create stores nothing.
/// </summary>
public sealed class CountLimits
{
    public const string Section = "Herald:Limits";

    /// <summary>
    /// Endpoints per application. Default 500: the fan-out benchmark uses 100, and one customer with more than a few
    /// dozen receivers is rare; without a cap, a portal token created 1,000 endpoints in 1.3 s.
    /// </summary>
    [Range(0, 1_000_000)]
    public int EndpointsPerApplication { get; set; } = 500;

    /// <summary>Polling endpoints (pull destinations) per application. Default 50.</summary>
    [Range(0, 1_000_000)]
    public int PollingEndpointsPerApplication { get; set; } = 50;
}

/// <summary>A create refused because the application already holds <see cref="Limit"/> objects of the kind (<see cref="CountLimits"/>).</summary>
public sealed class CountLimitExceededException(string what, string setting, int limit)
    : Exception($"This application already has {limit} {what}, the most allowed ({setting}); delete one first.")
{
    /// <summary>The configuration key, e.g. <c>Herald:Limits:EndpointsPerApplication</c>.</summary>
    public string Setting { get; } = setting;

    public int Limit { get; } = limit;

    public static CountLimitExceededException Endpoints(int limit) =>
        new("endpoints", $"{CountLimits.Section}:{nameof(CountLimits.EndpointsPerApplication)}", limit);

    public static CountLimitExceededException PollingEndpoints(int limit) =>
        new("polling endpoints", $"{CountLimits.Section}:{nameof(CountLimits.PollingEndpointsPerApplication)}", limit);
}
