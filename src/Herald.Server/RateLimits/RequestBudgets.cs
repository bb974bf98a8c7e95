using System.Security.Claims;
using System.Threading.RateLimiting;
using Herald.Server.Auth;

namespace Herald.Server.RateLimits;

/// <summary>
/// The request limiter: one token bucket per authenticated caller, keyed by its token id, with the admin or the
/// application budget of <see cref="RateLimitOptions"/>. Requests without a valid token are not counted here (they end
/// in 401 and are slowed by <see cref="FailedAuthenticationThrottle"/> per client address); anonymous routes
/// (<c>/health</c>, <c>/docs</c>, <c>/openapi</c>) are not limited.
/// </summary>
internal static class RequestBudgets
{
    public static PartitionedRateLimiter<HttpContext> Create(RateLimitOptions options, TimeProvider time) =>
        PartitionedRateLimiter.Create<HttpContext, string>(context =>
        {
            if (CallerKey(context.User) is not { } caller)
            {
                return RateLimitPartition.GetNoLimiter("");
            }

            var (perSecond, burst) = context.User.ScopedApplicationId() is null
                ? (options.AdminRequestsPerSecond, options.AdminBurst)
                : (options.ApplicationRequestsPerSecond, options.ApplicationBurst);
            return perSecond <= 0
                ? RateLimitPartition.GetNoLimiter("")
                : RateLimitPartition.Get(caller, _ => new ClockedTokenBucket(perSecond, RateLimitOptions.BurstOr(burst, perSecond), time));
        });

    /// <summary>
    /// Who spends the budget: the token's id (never the token itself), or for a principal another scheme made (e.g. a
    /// JWT), its subject. Null for a request that is not authenticated.
    /// </summary>
    public static string? CallerKey(ClaimsPrincipal user) => user.Identity?.IsAuthenticated != true
        ? null
        : user.TokenId() is { Length: > 0 } token ? token
        : user.FindFirstValue("sub") ?? user.FindFirstValue(ClaimTypes.NameIdentifier) ?? user.Identity.Name ?? "authenticated";
}
