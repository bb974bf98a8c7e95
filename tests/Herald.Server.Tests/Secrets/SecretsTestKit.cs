using System.Text;
using Dapper;
using Herald.Receiver;
using Herald.Server.Secrets;
using Herald.Server.Storage;
using Herald.Server.Tests.Delivery;
using Herald.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Herald.Server.Tests.Secrets;

/// <summary>What the secrets-at-rest tests share: an endpoint with a known secret and header, raw stored values, raw SQL.</summary>
internal static class SecretsTestKit
{
    /// <summary>A signing secret a test can look for in raw bytes (its base64 part is distinctive).</summary>
    public static readonly string Secret = "whsec_" + Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes("raw-bytes-canary-secret-0123456789"));

    public const string BearerToken = "Bearer canary-header-token-9f8e7d6c5b4a";

    public static string KeyId(string base64Key) => MainKey.From(Convert.FromBase64String(base64Key)).Id;

    public static bool IsPostgres(this HeraldApplication herald) => herald.Services.GetRequiredService<IOptions<StorageOptions>>().Value.IsPostgres;

    /// <summary>Creates app <c>acme</c> and an endpoint to <paramref name="url"/> with <see cref="Secret"/> and an Authorization header; returns its id.</summary>
    public static async Task<string> CreateGuardedEndpointAsync(HttpClient client, string url)
    {
        await client.CreateAppAsync("Acme", "acme");
        var endpoint = await client.CreateEndpointAsync("acme", url, new JsonObject
        {
            ["secret"] = Secret,
            ["headers"] = new JsonObject { ["Authorization"] = BearerToken },
        });
        return (string)endpoint["id"]!;
    }

    /// <summary>Publishes one message and checks what the receiver got: the Authorization header, and a signature that <paramref name="secret"/> verifies.</summary>
    public static async Task AssertDeliversAsync(HttpClient client, WebhookReceiver receiver, string secret, string? authorization = BearerToken)
    {
        var message = await client.PublishAsync("acme");
        var webhook = Assert.Single(await receiver.WaitForAsync(1, w => w.Id == (string)message["id"]!));
        Assert.Equal(authorization, webhook.Headers.GetValueOrDefault("authorization"));
        Assert.True(new WebhookVerifier(WebhookScheme.StandardWebhooks, secret).Verify(webhook.Body, webhook.Headers).IsVerified, "signature");
    }

    /// <summary>The endpoint's headers and keys as stored, read the way the start-up pass reads them.</summary>
    public static async Task<StoredEndpointSecrets> StoredAsync(HeraldApplication herald, string endpointId) =>
        Assert.Single(await herald.Services.GetRequiredService<IHeraldStore>().ListStoredSecretsAsync(null, 1000, CancellationToken.None), s => s.EndpointId == endpointId);

    /// <summary>Runs SQL on Herald's database behind its back, as an older version or an operator would.</summary>
    public static async Task ExecuteRawAsync(HeraldApplication herald, string sql, object parameters)
    {
        var storage = herald.Services.GetRequiredService<IOptions<StorageOptions>>().Value;
        await using System.Data.Common.DbConnection connection = storage.IsPostgres
            ? new Npgsql.NpgsqlConnection(storage.ConnectionString)
            : new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(herald.DataDirectory, "herald.db")};Pooling=False");
        await connection.OpenAsync();
        await connection.ExecuteAsync(sql, parameters);
    }

    /// <summary>
    /// Stops <paramref name="running"/> and makes a Herald on <paramref name="origin"/>'s data (the first Herald of the test,
    /// whose data it is) that may reach loopback receivers, with the given settings.
    /// </summary>
    public static HeraldApplication Restart(HeraldApplication origin, HeraldApplication running, params (string Key, string? Value)[] settings)
    {
        running.StopServer();
        var next = origin.OnSameData().With("Herald:Delivery:AllowedNetworks:0", DeliveryTestKit.Loopback);
        foreach (var (key, value) in settings)
        {
            next.With(key, value);
        }

        return next;
    }

    /// <summary>
    /// Stops <paramref name="running"/> and starts Herald as a separate process on <paramref name="origin"/>'s data (its
    /// SQLite folder or PostgreSQL database), not waiting for it to be healthy.
    /// </summary>
    public static Task<HeraldProcess> StartProcessAsync(HeraldApplication origin, HeraldApplication running, string mainKey)
    {
        var storage = running.Services.GetRequiredService<IOptions<StorageOptions>>().Value;
        running.StopServer();
        var environment = new Dictionary<string, string> { ["Herald__Secrets__MainKey"] = mainKey };
        if (storage.IsPostgres)
        {
            environment["Herald__Storage__Provider"] = "postgres";
            environment["Herald__Storage__ConnectionString"] = storage.ConnectionString!;
        }

        return HeraldProcess.StartAsync(origin.DataDirectory, environment, waitUntilHealthy: false);
    }

    /// <summary>The SQLite database file and its WAL as bytes on disk (read beside Herald's open connections), as Latin-1 text to search; empty on PostgreSQL.</summary>
    public static string RawDatabaseFiles(this HeraldApplication herald)
    {
        var text = new StringBuilder();
        foreach (var name in (string[])["herald.db", "herald.db-wal"])
        {
            var path = Path.Combine(herald.DataDirectory, name);
            if (File.Exists(path))
            {
                using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var bytes = new MemoryStream();
                file.CopyTo(bytes);
                text.Append(Encoding.Latin1.GetString(bytes.ToArray()));
            }
        }

        return text.ToString();
    }
}
