namespace Herald.Server.Auth;

/// <summary>
/// Route metadata of a group that serves the endpoint routes of one internal application (operational webhooks)
/// instead of the route's <c>{app_id}</c>.
/// </summary>
internal sealed record FixedEndpointScope(string ApplicationId);

/// <summary>
/// A handler parameter: the application whose endpoints an endpoint route manages — the group's
/// <see cref="FixedEndpointScope"/>, else the route's application as <see cref="AppScope"/> resolved it.
/// </summary>
internal sealed class EndpointScope(string? applicationId)
{
    /// <summary>The application's id; a 404 when the caller cannot reach it (ApiAccess answers that before any handler).</summary>
    public string ApplicationId => applicationId ?? throw Api.ApiException.NotFound("Application");

    public static async ValueTask<EndpointScope> BindAsync(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<FixedEndpointScope>() is { } scope
            ? new EndpointScope(scope.ApplicationId)
            : new EndpointScope((await AppScope.ResolveAsync(context))?.Id);
}
