using Herald.Server.Delivery;

namespace Herald.Server.Hosting;

/// <summary>
/// Local development (<c>--dev</c>, or <c>Herald__Dev=true</c>): receivers on loopback and private networks are
/// allowed, failed deliveries are retried after 5 s, 10 s, 30 s, 1 min and 5 min (unless
/// <c>Herald:Delivery:RetrySchedule</c> is set), every attempt is logged at Information with its outcome and error,
/// and the start banner says loudly that this server is not for production. Link-local addresses (the cloud metadata
/// service among them) stay refused.
/// </summary>
internal static class DevMode
{
    /// <summary>The setting: <c>Herald:Dev</c> (<c>Herald__Dev=true</c>); <c>--dev</c> on the command line sets it.</summary>
    public const string Setting = "Herald:Dev";

    public static readonly IReadOnlyList<TimeSpan> RetrySchedule =
        [TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5)];

    /// <summary>Loopback and private networks, IPv4 and IPv6: where a developer's receiver, container or VM listens.</summary>
    public static readonly IReadOnlyList<string> AllowedNetworks =
        ["127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"];

    public static bool IsOn(IConfiguration configuration) => configuration.GetValue<bool>(Setting);

    /// <summary>
    /// The command line as the configuration reads it: <c>--dev</c> becomes <c>--Herald:Dev=true</c> (a bare switch would
    /// swallow the next argument as its value) and <c>--verbose</c>, which only Program reads, is left out.
    /// </summary>
    public static string[] RewriteArguments(string[] args) =>
        [.. args.Where(a => a != "--verbose").Select(a => a == "--dev" ? $"--{Setting}=true" : a)];

    /// <summary>Widens the delivery settings in dev mode; read when the options are first used, after every setting is in.</summary>
    public static IHostApplicationBuilder AddHeraldDevMode(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DeliveryOptions>().PostConfigure<IConfiguration>((delivery, configuration) =>
        {
            if (!IsOn(configuration))
            {
                return;
            }

            delivery.AllowedNetworks = [.. delivery.AllowedNetworks, .. AllowedNetworks];
            if (delivery.RetrySchedule is not { Count: > 0 })
            {
                delivery.RetrySchedule = [.. RetrySchedule];
            }
        });
        return builder;
    }
}
