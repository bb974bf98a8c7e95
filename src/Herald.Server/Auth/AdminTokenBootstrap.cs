using Herald.Server.Storage;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using Herald.Server.Diagnostics;

namespace Herald.Server.Auth;

/// <summary>
/// Makes sure an admin key exists before the first request: the first API key, named <see cref="KeyName"/>, with the
/// <c>admin</c> scope, revocable like any other. An operator-preset token (<c>Herald__Auth__AdminToken</c>) is stored
/// by hash when it is new; otherwise, on the very first start only, Herald generates one and prints it once to the
/// console — never through the logger, so it lands in no log sink. A preset token that was revoked or expired stays
/// so: Herald starts, logs a warning, and the token is refused like any other ended key (set a new value to get a new key).
/// </summary>
internal static partial class AdminTokenBootstrap
{
    public const string KeyName = "bootstrap";

    public static async Task EnsureAdminTokenAsync(this WebApplication app, CancellationToken cancellationToken)
    {
        var store = app.Services.GetRequiredService<ITokenStore>();
        var ids = app.Services.GetRequiredService<Ids>();
        var now = app.Services.GetRequiredService<TimeProvider>().GetUtcNow();
        var preset = app.Services.GetRequiredService<IOptions<AuthOptions>>().Value.AdminToken;

        if (preset is not null)
        {
            var hash = TokenHashing.Hash(preset);
            var existing = await store.FindTokenAsync(hash, cancellationToken);
            if (existing is null)
            {
                try
                {
                    await store.AddTokenAsync(BootstrapKey(ids.New(Ids.Token), preset, now), cancellationToken);
                }
                catch (StorageConflictException)
                {
                    // Nodes of a cluster starting together: another one stored the same preset token first.
                }
            }
            else if (existing.RevokedAt is not null || existing.ExpiresAt <= now)
            {
                var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(AdminTokenBootstrap).FullName!);
                LogPresetTokenEnded(logger, existing.Id);
            }

            return;
        }

        if (await store.AnyAdminTokenAsync(cancellationToken))
        {
            return;
        }

        var token = TokenHashing.NewToken(TokenHashing.AdminPrefix);
        await store.AddTokenAsync(BootstrapKey(ids.New(Ids.Token), token, now), cancellationToken);
        app.Lifetime.ApplicationStarted.Register(() => PrintFirstStartBanner(app, token));
    }

    private static ApiToken BootstrapKey(string id, string token, DateTimeOffset now) =>
        new() { Id = id, Hash = TokenHashing.Hash(token), Name = KeyName, Prefix = TokenHashing.DisplayPrefix(token), CreatedAt = now };

    /// <summary>The file the first token goes to when console logs are JSON (a log stream, not a terminal).</summary>
    public const string TokenFileName = "admin-token";

    private static void PrintFirstStartBanner(WebApplication app, string token)
    {
        var console = app.Services.GetService<IOptionsMonitor<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>>()?.CurrentValue;
        if (string.Equals(console?.FormatterName, "json", StringComparison.OrdinalIgnoreCase) && TryWriteTokenFile(app, token))
        {
            return;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? "http://localhost:8071";
        Console.Out.WriteLine($"""

            ================================================================================
             Herald is running for the first time. Your admin API token (shown only once;
             only its hash is stored — keep it somewhere safe):

                 {token}

             API:            {address}/api/v1
             API reference:  {address}/docs
             Try it:         curl -H "Authorization: Bearer $HERALD_TOKEN" {address}/api/v1/app
            ================================================================================

            """);
    }

    /// <summary>
    /// JSON console logs are a stream that log shippers collect: the token is not printed into it but written to
    /// <c>admin-token</c> (0600) in the data directory, and the log says where (not what).
    /// </summary>
    /// <remarks>When the file cannot be written, the banner is printed after all: a token nobody saw would lock the operator out.</remarks>
    private static bool TryWriteTokenFile(WebApplication app, string token)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(AdminTokenBootstrap).FullName!);
        try
        {
            var directory = DataDirectory.EnsurePrivate(app.Services.GetRequiredService<IOptions<StorageOptions>>().Value.DataDirectory, logger);
            var path = Path.Combine(directory, TokenFileName);
            File.Delete(path); // Left by an earlier first start that did not finish: that token was never stored.
            DataDirectory.TryCreatePrivateFile(path, System.Text.Encoding.ASCII.GetBytes(token + "\n"));
            LogTokenWritten(logger, path);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or StorageStartupException)
        {
            return false;
        }
    }

    [LoggerMessage(EventId = EventIds.AdminTokenWrittenToFile, Level = LogLevel.Warning,
        Message = "Herald is running for the first time. Its admin API token was written to {Path} (mode 0600), not to this log: read it, keep it somewhere safe and delete the file")]
    private static partial void LogTokenWritten(ILogger logger, string path);

    [LoggerMessage(EventId = EventIds.PresetAdminTokenEnded, Level = LogLevel.Warning,
        Message = "Herald:Auth:AdminToken names API key {KeyId}, which was revoked or has expired: it stays so. Remove the setting, or set a new token to add a new admin key")]
    private static partial void LogPresetTokenEnded(ILogger logger, string keyId);
}
