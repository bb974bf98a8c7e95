using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Herald.Receiver;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Herald.Bench.Bare;

/// <summary>
/// The bare server of the <c>bounds</c> scenario: the least a server can do and still have Herald's shape, so that
/// Herald's figures can be compared with what this machine allows for that shape rather than with zero cost. It
/// answers <c>POST /api/v1/app/{app}/msg</c> like Herald (bearer token, JSON body, <c>202</c> with the message id) and,
/// by <see cref="BareMode"/>:
/// <list type="bullet">
/// <item><c>relay</c>: stores nothing; answers 202 and POSTs the payload, signed, to the receiver.</item>
/// <item><c>store</c>: appends the message to SQLite (or PostgreSQL) with group commit and answers 202 after the
/// commit; no deliveries (the bound of "ingest only").</item>
/// <item><c>store-relay</c>: as <c>store</c>, then sends the webhook and appends the attempt's outcome the same way:
/// the least a durable webhook server with recorded attempts does.</item>
/// </list>
/// No validation, idempotency, auth lookup, fan-out, retries, limits or metrics: it is a yardstick, not a server.
/// It runs as its own process (<c>dotnet Herald.Bench.dll bare-server --urls …</c>), told what to do by environment
/// variables (<see cref="BareSettings"/>), so it shares the machine as Herald does.
/// </summary>
internal static class BareServer
{
    public static async Task<int> RunAsync(string[] args)
    {
        var settings = BareSettings.FromEnvironment();
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        await using var store = await BareStore.OpenAsync(settings);
        using var sender = settings.Mode == BareMode.Store ? null : new BareSender(settings);
        var app = builder.Build();
        var expected = "Bearer " + settings.Token;
        var node = Convert.ToHexStringLower(BitConverter.GetBytes(Environment.ProcessId));
        var next = 0L;

        app.MapGet("/api/v1/health", () => Results.Ok());
        app.MapPost("/api/v1/app/{app}/msg", async (string app, HttpContext http) =>
        {
            if (!string.Equals(http.Request.Headers.Authorization, expected, StringComparison.Ordinal))
            {
                return Results.Unauthorized();
            }

            var body = await ReadBodyAsync(http.Request, http.RequestAborted);
            byte[] payload;
            using (var document = JsonDocument.Parse(body))
            {
                payload = Encoding.UTF8.GetBytes(document.RootElement.GetProperty("payload").GetRawText());
            }

            var id = $"msg_{node}_{Interlocked.Increment(ref next)}";
            if (store is not null)
            {
                await store.AppendAsync(app, id, BareStore.MessageKind, payload);
            }

            if (sender is not null)
            {
                _ = sender.SendAsync(app, id, payload, store);
            }

            return Results.Text($$"""{"id":"{{id}}"}""", "application/json", statusCode: StatusCodes.Status202Accepted);
        });

        await app.RunAsync();
        return 0;
    }

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength is { } length)
        {
            var body = new byte[length];
            await request.Body.ReadExactlyAsync(body, cancellationToken);
            return body;
        }

        using var copy = new MemoryStream();
        await request.Body.CopyToAsync(copy, cancellationToken);
        return copy.ToArray();
    }
}

/// <summary>What the bare server does (<c>BARE_MODE</c>).</summary>
internal enum BareMode
{
    Relay,
    Store,
    StoreRelay,
}

/// <summary>The bare server's settings, from its environment (the bounds scenario sets them).</summary>
internal sealed record BareSettings(BareMode Mode, string Token, Uri? Receiver, string? Secret, string? SqlitePath, string? PostgresConnectionString, string Table)
{
    public static string ModeName(BareMode mode) => mode switch
    {
        BareMode.Relay => "relay",
        BareMode.Store => "store",
        _ => "store-relay",
    };

    public static BareSettings FromEnvironment()
    {
        static string? Get(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;
        var mode = Get("BARE_MODE") switch
        {
            "relay" => BareMode.Relay,
            "store" => BareMode.Store,
            "store-relay" => BareMode.StoreRelay,
            var other => throw new InvalidOperationException($"BARE_MODE must be relay, store or store-relay, not '{other}'."),
        };
        return new BareSettings(
            mode,
            Get("BARE_TOKEN") ?? throw new InvalidOperationException("BARE_TOKEN is required."),
            Get("BARE_RECEIVER") is { } receiver ? new Uri(receiver) : null,
            Get("BARE_SECRET"),
            Get("BARE_SQLITE"),
            Get("BARE_POSTGRES"),
            Get("BARE_TABLE") ?? "bare_log");
    }
}

/// <summary>Sends a payload, signed with the Standard Webhooks scheme, to <c>{receiver}/bare/{app}</c>, as Herald would.</summary>
internal sealed class BareSender : IDisposable
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private readonly HttpClient _http;
    private readonly Uri _receiver;
    private readonly string _secret;

    public BareSender(BareSettings settings)
    {
        _receiver = settings.Receiver ?? throw new InvalidOperationException("BARE_RECEIVER is required to relay.");
        _secret = settings.Secret ?? throw new InvalidOperationException("BARE_SECRET is required to relay.");
        _http = new HttpClient(new SocketsHttpHandler
        {
            // As many connections per receiver as Herald's adaptive per-endpoint limit reaches (64); the rest wait for one.
            MaxConnectionsPerServer = 64,
            UseCookies = false,
            UseProxy = false,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        })
        {
            Timeout = TimeSpan.FromSeconds(15),
        };
    }

    public async Task SendAsync(string app, string id, byte[] payload, BareStore? store)
    {
        var outcome = (byte)0;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_receiver, $"/bare/{app}")) { Content = new ByteArrayContent(payload) };
            request.Content.Headers.ContentType = Json;
            foreach (var (name, value) in WebhookScheme.StandardWebhooks.Sign(_secret, id, DateTimeOffset.UtcNow, payload))
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }

            using var response = await _http.SendAsync(request);
            outcome = (byte)((int)response.StatusCode / 100);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            await Console.Error.WriteLineAsync($"bare: sending {id} failed: {e.Message}");
        }

        if (store is not null)
        {
            await store.AppendAsync(app, id, BareStore.AttemptKind, [outcome]);
        }
    }

    public void Dispose() => _http.Dispose();
}
