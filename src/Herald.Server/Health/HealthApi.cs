using Herald.Server.Storage;

namespace Herald.Server.Health;

public sealed record HealthOut(string Status, string Version);

internal static class HealthApi
{
    /// <summary><c>GET /api/v1/health</c>: no token needed; 200 while storage answers, 503 when it does not.</summary>
    public static RouteHandlerBuilder MapHealth(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/v1/health", async Task<Results<Ok<HealthOut>, JsonHttpResult<HealthOut>>> (IHeraldStore store, CancellationToken cancellationToken) =>
        {
            var version = typeof(HealthApi).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
            try
            {
                await store.AnyAdminTokenAsync(cancellationToken);
                return TypedResults.Ok(new HealthOut("ok", version));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return TypedResults.Json(new HealthOut("storage_unavailable", version), statusCode: StatusCodes.Status503ServiceUnavailable);
            }
        }).AllowAnonymous().WithTags("Health").WithSummary("Is the server up and its storage reachable?");
}
