using Herald.Server.Storage;

namespace Herald.Server.Health;

/// <summary>Server health.</summary>
/// <param name="Status">`ok` when the server and its storage answer.</param>
/// <param name="Version">Herald's version.</param>
public sealed record HealthOut(string Status, string Version);

internal static class HealthApi
{
    /// <summary>
    /// <c>/api/v1/health</c> (GET, and HEAD without a body; no token): 200 while storage answers, 503 when it does not;
    /// and <c>/api/v1/health/ping</c> (GET and HEAD): 204 whenever the process answers HTTP at all, as svix-server's.
    /// </summary>
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/health", async Task<Results<Ok<HealthOut>, JsonHttpResult<HealthOut>>> (IHeraldStore store, CancellationToken cancellationToken) =>
        {
            var health = await CheckAsync(store, cancellationToken);
            return health.Status == "ok"
                ? TypedResults.Ok(health)
                : TypedResults.Json(health, statusCode: StatusCodes.Status503ServiceUnavailable);
        }).AllowAnonymous().WithTags("Health").WithSummary("Is the server up and its storage reachable?")
            .WithDescription("200 with status `ok` and the version when storage answers a query; 503 with status `storage_unavailable` otherwise. No token needed (for load balancers and probes).");
        // HEAD answers what GET would, without the body (a test host, unlike Kestrel, would send a body a GET handler writes).
        app.MapMethods("/api/v1/health", [HttpMethods.Head], async (IHeraldStore store, CancellationToken cancellationToken) =>
            TypedResults.StatusCode((await CheckAsync(store, cancellationToken)).Status == "ok" ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable))
            .AllowAnonymous().WithTags("Health").WithSummary("Is the server up and its storage reachable? (status only)")
            .WithDescription("The same check as GET, answered with the status code only (200 or 503).");
        app.MapMethods("/api/v1/health/ping", [HttpMethods.Get, HttpMethods.Head], () => TypedResults.NoContent())
            .AllowAnonymous().WithTags("Health").WithSummary("Is the server answering? (204, no storage check)")
            .WithDescription("Answers 204 as long as the process serves requests; storage is not checked (a liveness probe).");
        return app;
    }

    private static async Task<HealthOut> CheckAsync(IHeraldStore store, CancellationToken cancellationToken)
    {
        var version = typeof(HealthApi).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
        try
        {
            await store.AnyAdminTokenAsync(cancellationToken);
            return new HealthOut("ok", version);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new HealthOut("storage_unavailable", version);
        }
    }
}
