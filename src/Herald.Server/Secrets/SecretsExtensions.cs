using Herald.Server.Storage;
using Microsoft.Extensions.Options;

namespace Herald.Server.Secrets;

internal static class SecretsExtensions
{
    /// <summary>The main keys and the sealer that storage uses for endpoint secrets and headers.</summary>
    public static IHostApplicationBuilder AddHeraldSecrets(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<SecretsOptions>().BindConfiguration(SecretsOptions.Section);
        builder.Services.AddSingleton(services => MainKeyRing.Load(
            services.GetRequiredService<IOptions<SecretsOptions>>().Value,
            services.GetRequiredService<IOptions<StorageOptions>>().Value,
            services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(MainKeyRing).FullName!)));
        builder.Services.AddSingleton<SecretSealer>();
        builder.Services.AddSingleton<SecretResealing>();
        return builder;
    }

    /// <summary>Seals what is still plaintext and reseals what an old key sealed, before the first request (see <see cref="SecretResealing"/>).</summary>
    public static Task SealSecretsAtRestAsync(this WebApplication app, CancellationToken cancellationToken) =>
        app.Services.GetRequiredService<SecretResealing>().RunAsync(cancellationToken);
}
