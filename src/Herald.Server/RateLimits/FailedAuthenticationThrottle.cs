using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using Herald.Server.Diagnostics;

namespace Herald.Server.RateLimits;

/// <summary>
/// Slows failed authentication per client address: each answer 401 spends one permit of the address's budget
/// (<see cref="RateLimitOptions.FailedAuthenticationsPerMinute"/>); while the budget is used up, every request from the
/// address is refused with 429 <c>rate_limited</c> before its token is looked at. Refusing before authentication is
/// what makes guessing slow: if a right guess still passed, a throttled guesser would learn it at full speed. So a
/// valid token sent from an address that is guessing waits too; callers on other addresses are not affected, and
/// neither are the health routes. Runs before authentication and sees every 401, whichever scheme or route produced it.
/// </summary>
internal sealed partial class FailedAuthenticationThrottle(RequestDelegate next, IOptions<RateLimitOptions> options, TimeProvider time, ILogger<FailedAuthenticationThrottle> logger)
    : IAsyncDisposable
{
    private readonly PartitionedRateLimiter<string>? _failures = options.Value.FailedAuthenticationsPerMinute is > 0 and var perMinute
        ? PartitionedRateLimiter.Create<string, string>(address => RateLimitPartition.Get(address, _ =>
            new ClockedTokenBucket(perMinute / 60, RateLimitOptions.BurstOr(options.Value.FailedAuthenticationBurst, perMinute), time)))
        : null;

    public async Task InvokeAsync(HttpContext context)
    {
        // Health checks take no token, so there is nothing to guess there; refusing them would let a guesser behind a
        // load balancer make the balancer, whose probes share its address, take every node out of rotation.
        if (_failures is null || context.Request.Path.StartsWithSegments("/api/v1/health", StringComparison.OrdinalIgnoreCase))
        {
            await next(context);
            return;
        }

        var address = ClientAddress(context);
        using (var check = _failures.AttemptAcquire(address, permitCount: 0))
        {
            if (!check.IsAcquired)
            {
                await RateLimitExtensions.RefuseAsync(context, check, "Too many failed authentications from this address; retry after the time in Retry-After.");
                return;
            }
        }

        await next(context);
        if (context.Response.StatusCode == StatusCodes.Status401Unauthorized)
        {
            using var spent = _failures.AttemptAcquire(address);
            using var left = _failures.AttemptAcquire(address, permitCount: 0);
            if (!left.IsAcquired)
            {
                LogBudgetUsedUp(logger, address);
            }
        }
    }

    /// <summary>
    /// The address a budget belongs to: the connection's peer (behind a reverse proxy, that is the proxy unless
    /// forwarded headers are configured: docs/SECURITY.md). IPv6 addresses count by /64, the block one host is given.
    /// </summary>
    public static string ClientAddress(HttpContext context)
    {
        if (context.Connection.RemoteIpAddress is not { } address)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4().ToString();
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var bytes = address.GetAddressBytes();
            Array.Clear(bytes, 8, 8);
            return new IPAddress(bytes) + "/64";
        }

        return address.ToString();
    }

    public ValueTask DisposeAsync() => _failures?.DisposeAsync() ?? ValueTask.CompletedTask;

    [LoggerMessage(EventId = EventIds.FailedAuthenticationBudgetUsedUp, Level = LogLevel.Warning, Message = "Client {Address} used up its budget of failed authentications; its requests are refused with 429 until it refills")]
    private static partial void LogBudgetUsedUp(ILogger logger, string address);
}
