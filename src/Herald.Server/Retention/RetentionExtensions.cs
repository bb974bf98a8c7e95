namespace Herald.Server.Retention;

internal static class RetentionExtensions
{
    /// <summary>Payload retention and history clean-up: the options (checked at start) and the job that applies them.</summary>
    public static IHostApplicationBuilder AddHeraldRetention(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<RetentionOptions>().BindConfiguration(RetentionOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => o.DefaultPayloadRetention >= TimeSpan.FromHours(1) && o.DefaultPayloadRetention <= TimeSpan.FromDays(90),
                "Herald:Retention:DefaultPayloadRetention must be from 1 hour to 90 days (Svix's bounds for payloadRetentionHours/Period).")
            .Validate(o => o.HistoryRetention >= TimeSpan.FromDays(1), "Herald:Retention:HistoryRetention must be at least 1 day.")
            .Validate(o => o.Interval >= TimeSpan.FromMinutes(1) && o.Interval <= TimeSpan.FromDays(1), "Herald:Retention:Interval must be from 1 minute to 1 day.")
            .ValidateOnStart();
        builder.Services.AddSingleton<RetentionJob>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<RetentionJob>());
        return builder;
    }
}
