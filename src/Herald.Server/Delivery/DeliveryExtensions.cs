using Microsoft.Extensions.Options;

using Herald.Server.Cluster;

namespace Herald.Server.Delivery;

internal static class DeliveryExtensions
{
    private static readonly TimeSpan DrainMargin = TimeSpan.FromSeconds(15);

    public static IHostApplicationBuilder AddHeraldDelivery(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DeliveryOptions>().BindConfiguration(DeliveryOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => o.AllowedNetworks.All(AddressGuard.IsValidNetwork), "Herald:Delivery:AllowedNetworks must hold CIDR networks such as 10.0.0.0/8 or ::1/128.")
            .Validate(o => o.RetrySchedule is null || o.RetrySchedule.All(d => d >= TimeSpan.Zero), "Herald:Delivery:RetrySchedule delays must not be negative.")
            .Validate(o => o.DefaultTimeout >= TimeSpan.FromSeconds(1) && o.DefaultTimeout <= TimeSpan.FromSeconds(30), "Herald:Delivery:DefaultTimeout must be from 1 to 30 seconds.")
            .Validate(o => o.ScanInterval > TimeSpan.Zero && o.LeaseDuration > TimeSpan.FromSeconds(30), "Herald:Delivery:ScanInterval must be positive and LeaseDuration above 30 s.")
            .Validate(o => o.DrainTimeout >= TimeSpan.Zero && o.DrainTimeout <= TimeSpan.FromSeconds(60), "Herald:Delivery:DrainTimeout must be from 0 to 60 seconds.")
            .Validate(o => Enum.IsDefined(o.SignatureHeaders), "Herald:Delivery:SignatureHeaders must be Both, StandardWebhooks or Svix.")
            .Validate(o => Enum.IsDefined(o.RequireEndpointVerification), "Herald:Delivery:RequireEndpointVerification must be None, Handshake or Ping.")
            .Validate(o => o.VerificationRetryInterval >= TimeSpan.FromSeconds(1) && o.VerificationGiveUpAfter > TimeSpan.Zero, "Herald:Delivery:VerificationRetryInterval must be at least 1 s and VerificationGiveUpAfter positive.")
            .Validate(o => !string.IsNullOrWhiteSpace(o.VerificationOrigin) && o.VerificationOrigin.All(c => c is > ' ' and < (char)127), "Herald:Delivery:VerificationOrigin must be a non-empty name of visible ASCII characters.")
            .ValidateOnStart();
        // The drain runs inside the host's stop, which gives up after ShutdownTimeout (30 s by default): keep room above it
        // for the drain, the hand-back and the web server's own stop.
        builder.Services.AddOptions<HostOptions>().PostConfigure<IOptions<DeliveryOptions>>((host, delivery) =>
            host.ShutdownTimeout = TimeSpan.FromTicks(Math.Max(host.ShutdownTimeout.Ticks, (delivery.Value.DrainTimeout + DrainMargin).Ticks)));
        builder.Services.AddSingleton<BookkeepingRetry>();
        builder.Services.AddSingleton<AddressGuard>();
        builder.Services.AddSingleton<WebhookSender>();
        builder.Services.AddSingleton<AttemptNotes>();
        builder.Services.AddSingleton<RetrySchedule>();
        builder.Services.AddSingleton<DeliveryOutcomePolicy>();
        builder.Services.AddSingleton<EndpointLimits>();
        builder.Services.AddSingleton<ClusterMembership>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ClusterMembership>());
        builder.Services.AddSingleton<DeliveryQueue>();
        builder.Services.AddSingleton<DeliveryNode>();
        builder.Services.AddSingleton<OperationalWebhooks>();
        builder.Services.AddSingleton<FifoLine>();
        builder.Services.AddSingleton<Messages.MessagePublisher>();
        builder.Services.AddSingleton<Polling.MessageLogSignal>();
        builder.Services.AddSingleton<Polling.SharedLogReads>();
        builder.Services.AddAttemptLog();
        // Before the dispatcher: stopped after its drain, so it publishes what the drain raised.
        builder.Services.AddSingleton<OperationalWebhookPump>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<OperationalWebhookPump>());
        builder.Services.AddHostedService<DeliveryDispatcher>();
        Endpoints.EndpointVerifier.Register(builder.Services);
        return builder;
    }
}
