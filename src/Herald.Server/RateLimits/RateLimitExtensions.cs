using System.Globalization;
using System.Threading.RateLimiting;
using Herald.Server.Api;
using Herald.Server.Storage;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Herald.Server.Diagnostics;

namespace Herald.Server.RateLimits;

/// <summary>Request budgets per token and the failed-authentication budget per client address (<see cref="RateLimitOptions"/>).</summary>
internal static partial class RateLimitExtensions
{
    public static IHostApplicationBuilder AddHeraldRateLimits(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<CountLimits>().BindConfiguration(CountLimits.Section).ValidateDataAnnotations().ValidateOnStart(); // enforced by the store
        builder.Services.AddRateLimiter(o => o.RejectionStatusCode = StatusCodes.Status429TooManyRequests);
        // The limiter is made when the middleware first needs it, from the validated options and the clock (tests swap in a fake one).
        builder.Services.AddOptions<RateLimiterOptions>().Configure<IOptions<RateLimitOptions>, TimeProvider, ILoggerFactory>((o, limits, time, loggers) =>
        {
            o.GlobalLimiter = RequestBudgets.Create(limits.Value, time);
            var logger = loggers.CreateLogger(typeof(RateLimitExtensions));
            o.OnRejected = (context, _) =>
            {
                LogRequestRefused(logger, RequestBudgets.CallerKey(context.HttpContext.User) ?? "", context.HttpContext.Request.Method, context.HttpContext.Request.Path);
                return new ValueTask(RefuseAsync(context.HttpContext, context.Lease, "This token has used up its request budget; retry after the time in Retry-After."));
            };
        });
        return builder;
    }

    /// <summary>Before authentication: refuses addresses that failed to authenticate too often, and counts each 401.</summary>
    public static IApplicationBuilder UseHeraldFailedAuthenticationThrottle(this IApplicationBuilder app) =>
        app.UseMiddleware<FailedAuthenticationThrottle>();

    /// <summary>After authentication, before anything that does work: each token's request budget.</summary>
    public static IApplicationBuilder UseHeraldRequestBudgets(this IApplicationBuilder app) => app.UseRateLimiter();

    /// <summary>429 <c>rate_limited</c> with <c>Retry-After</c> in whole seconds, rounded up (at least 1).</summary>
    public static Task RefuseAsync(HttpContext context, RateLimitLease lease, string detail)
    {
        var wait = lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(1);
        context.Response.Headers.RetryAfter = Math.Max(1, (long)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        return ApiErrorHandling.WriteAsync(context, StatusCodes.Status429TooManyRequests, "rate_limited", detail);
    }

    // Debug: under a flood this is one line per refused request; /metrics counts the refusals anyway
    // (http_server_request_duration_seconds with http_response_status_code 429).
    [LoggerMessage(EventId = EventIds.RequestBudgetUsedUp, Level = LogLevel.Debug, Message = "Refused {Method} {Path} of caller {Caller}: its request budget is used up")]
    private static partial void LogRequestRefused(ILogger logger, string caller, string method, PathString path);
}
