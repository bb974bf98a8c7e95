namespace Herald.Server.Hosting;

/// <summary>
/// Response headers that make browsers treat Herald's answers safely. Every response: <c>X-Content-Type-Options:
/// nosniff</c> (a JSON body is never run as a script or page) and <c>Referrer-Policy: no-referrer</c> (URLs, which
/// may name applications, do not leak to other sites). HTML pages (<c>/docs</c>): <c>X-Frame-Options: DENY</c> and
/// <c>Content-Security-Policy: frame-ancestors 'none'</c>, so no other site can frame them (click-jacking), unless the
/// page set its own policy (the app portal: framed only by <c>Herald:Portal:FrameAncestors</c>, Portal/PortalPages.cs). Over
/// HTTPS: <c>Strict-Transport-Security</c> (HSTS), except for localhost, where it would stick to every local port.
/// </summary>
internal static class SecurityHeaders
{
    /// <summary>How long browsers keep to HTTPS once they saw Herald over it: a year, the usual value; no subdomains.</summary>
    public static readonly TimeSpan HstsMaxAge = TimeSpan.FromDays(365);

    public static IHostApplicationBuilder AddHeraldSecurityHeaders(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHsts(o => o.MaxAge = HstsMaxAge);
        return builder;
    }

    public static WebApplication UseHeraldSecurityHeaders(this WebApplication app)
    {
        app.UseHsts();
        app.Use((context, next) =>
        {
            var response = context.Response;
            response.OnStarting(() =>
            {
                response.Headers.XContentTypeOptions = "nosniff";
                response.Headers["Referrer-Policy"] = "no-referrer";
                // A page that set its own policy (the app portal, whose frame-ancestors the operator configures) keeps it.
                if (response.ContentType?.StartsWith("text/html", StringComparison.OrdinalIgnoreCase) == true
                    && !response.Headers.ContainsKey("Content-Security-Policy"))
                {
                    response.Headers.XFrameOptions = "DENY";
                    response.Headers.ContentSecurityPolicy = "frame-ancestors 'none'";
                }

                return Task.CompletedTask;
            });
            return next(context);
        });
        return app;
    }
}
