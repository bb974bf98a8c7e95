using System.Reflection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;

namespace Herald.Server.Portal;

/// <summary>
/// The browser pages: the app portal (<c>/app-portal/{app_id}</c>) and the operator dashboard (<c>/</c>). Both are
/// static HTML with small ES modules embedded in this assembly (Portal/Assets), so they are served the same way by
/// <c>dotnet run</c>, a published build and a test host, and every node of a cluster serves them alike. They hold no
/// server state: the page reads its token (URL fragment or the typed API key) and calls the public <c>/api/v1</c>
/// with it, so the API's authorization is the only authorization. Each page carries a strict CSP: scripts, styles and
/// requests from Herald itself only (no CDN, no inline script), and framing as <see cref="PortalOptions.FrameAncestors"/> allows.
/// </summary>
internal static class PortalPages
{
    /// <summary>Where the pages' scripts and styles are served from.</summary>
    public const string AssetsPath = "/portal-assets";

    private const string ResourcePrefix = "Herald.Server.Portal.Assets";

    // img-src allows https: and data: for a logo given by the embedding platform (?icon=…); nothing else leaves Herald.
    private const string BasePolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data: https:; " +
        "font-src 'self'; base-uri 'none'; form-action 'none'";

    public static IHostApplicationBuilder AddHeraldPortal(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<PortalOptions>().BindConfiguration(PortalOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<PortalOptions>, PortalOptionsValidation>();
        return builder;
    }

    public static WebApplication MapHeraldPortal(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<PortalOptions>>().Value;
        if (!options.Enabled)
        {
            return app;
        }

        var assembly = typeof(PortalPages).Assembly;
        app.UseStaticFiles(new StaticFileOptions
        {
            RequestPath = AssetsPath,
            FileProvider = new EmbeddedFileProvider(assembly, ResourcePrefix),
            // Names are not fingerprinted: browsers revalidate (ETag → 304), so a new Herald version is picked up at once.
            OnPrepareResponse = c => c.Context.Response.Headers.CacheControl = "no-cache",
        });

        var portal = Read(assembly, "portal.html");
        var dashboard = Read(assembly, "dashboard.html");
        var portalPolicy = $"{BasePolicy}; frame-ancestors {string.Join(' ', ["'self'", .. options.FrameAncestors])}";
        var dashboardPolicy = $"{BasePolicy}; frame-ancestors 'none'";

        app.MapGet("/app-portal/{app_id}", (HttpContext context) => Page(context, portal, portalPolicy, frameable: true))
            .ExcludeFromDescription();
        app.MapGet("/", (HttpContext context) => Page(context, dashboard, dashboardPolicy, frameable: false))
            .ExcludeFromDescription();
        return app;
    }

    private static IResult Page(HttpContext context, byte[] html, string policy, bool frameable)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = policy;
        if (!frameable)
        {
            headers.XFrameOptions = "DENY";
        }

        headers.CacheControl = "no-cache";
        return Results.Bytes(html, "text/html; charset=utf-8");
    }

    private static byte[] Read(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream($"{ResourcePrefix}.{name}")
            ?? throw new InvalidOperationException($"The portal page {name} is not embedded in {assembly.GetName().Name}.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
