namespace Herald.Server.Hosting;

internal static class HostingExtensions
{
    private const string HostCategory = "Microsoft.Extensions.Hosting.Internal.Host";
    private const string LifetimeCategory = "Microsoft.Hosting.Lifetime";

    /// <summary>
    /// Dev mode (<c>--dev</c>), the banner every start logs, and start-up failures told in one line: until the server has
    /// started, the generic host's own error logs (the stack trace of a port in use, and of background services torn
    /// down with it) are held back, since Program prints the cause and exits with 1; <c>--verbose</c> keeps them.
    /// </summary>
    public static IHostApplicationBuilder AddHeraldHosting(this IHostApplicationBuilder builder, bool verbose)
    {
        builder.AddHeraldDevMode();
        builder.Services.AddHostedService<StartBanner>();
        if (!verbose)
        {
            builder.Logging.AddFilter(HostCategory, level => level >= LogLevel.Warning && StartBanner.Started);
            // "Application is shutting down..." after a failed start; "Now listening on" is in the start banner too.
            builder.Logging.AddFilter(LifetimeCategory, level => level >= LogLevel.Warning || (level >= LogLevel.Information && StartBanner.Started));
        }

        return builder;
    }
}
