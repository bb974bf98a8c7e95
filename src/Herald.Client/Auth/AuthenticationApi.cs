using Herald.Client.Http;

namespace Herald.Client;

/// <summary>Application tokens (<c>/api/v1/auth</c>; admin token).</summary>
public sealed class AuthenticationApi
{
    private readonly HeraldHttp _http;

    internal AuthenticationApi(HeraldHttp http) => _http = http;

    /// <summary>
    /// A token that reaches one application only, and the app-portal URL that carries it. Give it to the application's
    /// owner, or make a <see cref="HeraldClient"/> with it.
    /// </summary>
    /// <param name="appId">Application id or uid (created on the fly when <see cref="AppPortalAccessIn.Application"/> is set).</param>
    /// <param name="access">Lifetime and options of the token.</param>
    /// <param name="idempotencyKey">Key to make retries safe; one is generated when null.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task<AppPortalAccessOut> AppPortalAccessAsync(string appId, AppPortalAccessIn? access = null, string? idempotencyKey = null, CancellationToken cancellationToken = default) =>
        _http.PostAsync(
            $"{ApiPath.Root}auth/app-portal-access/{ApiPath.Escape(appId)}",
            access ?? new AppPortalAccessIn(),
            HeraldJsonContext.Default.AppPortalAccessIn,
            HeraldJsonContext.Default.AppPortalAccessOut,
            idempotencyKey,
            cancellationToken);
}
