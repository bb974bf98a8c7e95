namespace Herald.Server.Health;

/// <summary>Server health.</summary>
/// <param name="Status">
/// `ok` when storage takes writes; `storage_full` (its disk is full), `storage_unavailable` (it cannot be reached or
/// written) or `stopping` (the server is shutting down) with a 503.
/// </param>
/// <param name="Version">Herald's version.</param>
public sealed record HealthOut(string Status, string Version);

internal static class HealthApi
{
    private static readonly string Version = typeof(HealthApi).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    /// <summary>
    /// <c>/api/v1/health</c> and <c>/api/v1/health/ready</c> (GET, and HEAD without a body; no token): 200 while a write
    /// to storage succeeds, 503 when it fails or the server is stopping (<see cref="HealthCheck"/>); and
    /// <c>/api/v1/health/ping</c> (GET and HEAD): 204 whenever the process answers HTTP at all, as svix-server's.
    /// </summary>
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        MapCheck(app, "/api/v1/health", "Is the server up and its storage writable?");
        MapCheck(app, "/api/v1/health/ready", "Should this node take traffic? (readiness)");
        app.MapMethods("/api/v1/health/ping", [HttpMethods.Get, HttpMethods.Head], () => TypedResults.NoContent())
            .AllowAnonymous().WithTags("Health").WithSummary("Is the server answering? (204, no storage check)")
            .WithDescription("Answers 204 as long as the process serves requests; storage is not checked (a liveness probe).");
        app.MapHealthProbes(); // /health/live and /health/ready, ASP.NET Core health checks
        return app;
    }

    private static void MapCheck(IEndpointRouteBuilder app, string route, string summary)
    {
        app.MapGet(route, async Task<Results<Ok<HealthOut>, JsonHttpResult<HealthOut>>> (HealthCheck check, CancellationToken cancellationToken) =>
        {
            var health = new HealthOut(await check.StatusAsync(cancellationToken), Version);
            return health.Status == HealthCheck.Ok
                ? TypedResults.Ok(health)
                : TypedResults.Json(health, statusCode: StatusCodes.Status503ServiceUnavailable);
        }).AllowAnonymous().WithTags("Health").WithSummary(summary)
            .WithDescription("200 with status `ok` and the version while a small write to storage commits (probed at most once a second, "
                + "shared by all callers); 503 with status `storage_full`, `storage_unavailable` or `stopping` (shutting down) otherwise. "
                + "No token needed (for load balancers and probes).");
        // HEAD answers what GET would, without the body (a test host, unlike Kestrel, would send a body a GET handler writes).
        app.MapMethods(route, [HttpMethods.Head], async (HealthCheck check, CancellationToken cancellationToken) =>
            TypedResults.StatusCode(await check.StatusAsync(cancellationToken) == HealthCheck.Ok ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable))
            .AllowAnonymous().WithTags("Health").WithSummary(summary + " (status only)")
            .WithDescription("The same check as GET, answered with the status code only (200 or 503).");
    }
}
