namespace Herald.Server.Hosting;

/// <summary>How the Herald process starts: which settings it reads, and from where.</summary>
internal static class HeraldHost
{
    /// <summary>
    /// A builder whose content root — where <c>appsettings.json</c> is read — is the application's directory, not the
    /// working directory: <c>dotnet /opt/herald/Herald.Server.dll</c> started from anywhere reads
    /// <c>/opt/herald/appsettings.json</c>, not an <c>appsettings.json</c> that happens to lie where it was started.
    /// Environment variables and the command line still override it; an explicit <c>--contentRoot</c> (or
    /// <c>ASPNETCORE_CONTENTROOT</c>/<c>DOTNET_CONTENTROOT</c>) still chooses another directory.
    /// </summary>
    public static WebApplicationBuilder CreateBuilder(string[] args) => WebApplication.CreateBuilder(new WebApplicationOptions
    {
        // Settings are read at start; watching appsettings*.json for changes would watch the whole content root and
        // wake a thread at every write under it.
        Args = ["--hostBuilder:reloadConfigOnChange=false", .. DevMode.RewriteArguments(args)],
        ContentRootPath = NamesContentRoot(args) ? null : AppContext.BaseDirectory,
    });

    private static bool NamesContentRoot(string[] args) =>
        args.Any(a => a.TrimStart('-', '/').StartsWith("contentRoot", StringComparison.OrdinalIgnoreCase))
        || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("ASPNETCORE_CONTENTROOT"))
        || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DOTNET_CONTENTROOT"));
}
