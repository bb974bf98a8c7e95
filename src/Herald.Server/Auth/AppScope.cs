using Herald.Server.Applications;
using Herald.Server.Storage;

namespace Herald.Server.Auth;

/// <summary>
/// The application of a <c>/api/v1/app/{app_id}/…</c> route, resolved once per request for the caller: the route's
/// application if it exists and the token reaches it, else null (a scoped token then gets 404 before any handler
/// runs, exactly as for an application that does not exist). <see cref="ApiAccess"/> applies it to every such route;
/// handlers take it as a <see cref="CurrentApplication"/> parameter.
/// </summary>
internal static class AppScope
{
    public const string RoutePrefix = "/api/v1/app/{app_id}";

    private const string Key = "herald:app-scope";

    public static Task<Application?> ResolveAsync(HttpContext context)
    {
        if (context.Items.TryGetValue(Key, out var cached) && cached is Task<Application?> resolved)
        {
            return resolved;
        }

        var task = LoadAsync(context);
        context.Items[Key] = task;
        return task;
    }

    private static async Task<Application?> LoadAsync(HttpContext context)
    {
        var appIdOrUid = context.GetRouteValue("app_id") as string ?? "";
        var store = context.RequestServices.GetRequiredService<IApplicationStore>();
        var application = await store.GetApplicationAsync(appIdOrUid, context.RequestAborted);
        return application is not null && context.User.CanReach(application.Id) ? application : null;
    }
}

/// <summary>
/// A handler parameter: the route's application as <see cref="AppScope"/> resolved it. Reading <see cref="Value"/>
/// when there is none (an admin naming an application that does not exist) is a 404.
/// </summary>
internal sealed class CurrentApplication(Application? application)
{
    public Application Value => application ?? throw Api.ApiException.NotFound("Application");

    /// <summary>Null only for an admin naming an application that does not exist (routes that create it on the fly).</summary>
    public Application? ValueOrNull => application;

    // Binding runs before endpoint filters and must not throw (it would escape them as a 500): an unreachable application
    // binds as "none", and ApiAccess answers 404 for it before the handler runs.
    public static async ValueTask<CurrentApplication> BindAsync(HttpContext context) =>
        new(await AppScope.ResolveAsync(context));
}
