using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Options;

namespace Herald.Server.Delivery;

/// <summary>One signed POST, ready to go.</summary>
internal sealed record WebhookRequest(
    string Url, string MessageId, byte[] Body, IReadOnlyList<string> Secrets, IReadOnlyDictionary<string, string> Headers, TimeSpan Timeout);

/// <summary>What happened: <see cref="StatusCode"/> 0 means no HTTP answer (refused, unreachable, timed out; <see cref="Error"/> says which).</summary>
internal sealed record AttemptOutcome(bool Succeeded, int StatusCode, string? Response, TimeSpan Duration, string? Error, TimeSpan? RetryAfter)
{
    public bool Gone => StatusCode == (int)HttpStatusCode.Gone;
}

/// <summary>
/// Sends webhooks over one pooled <see cref="SocketsHttpHandler"/> whose connect step resolves the host itself
/// and refuses disallowed addresses (<see cref="AddressGuard"/>) on the address actually dialled, so DNS
/// rebinding cannot slip past the check. Redirects are never followed; at most 64 KiB of a response is read.
/// </summary>
internal sealed class WebhookSender : IDisposable
{
    public const int MaxResponseBytes = 64 * 1024;
    private static readonly string UserAgent = $"Herald/{typeof(WebhookSender).Assembly.GetName().Version?.ToString(3) ?? "0.0.0"}";

    private readonly HttpClient _client;
    private readonly AddressGuard _guard;
    private readonly TimeProvider _time;
    private static readonly (string Id, string Timestamp, string Signature) StandardNames = ("webhook-id", "webhook-timestamp", "webhook-signature");
    private static readonly (string Id, string Timestamp, string Signature) SvixNames = ("svix-id", "svix-timestamp", "svix-signature");
    private readonly (string Id, string Timestamp, string Signature)[] _headerSets;
    private readonly bool _requireHttps;

    public WebhookSender(AddressGuard guard, TimeProvider time, IOptions<DeliveryOptions> options)
    {
        _guard = guard;
        _time = time;
        _requireHttps = options.Value.RequireHttps;
        // Both by default: receivers written against Svix read svix-* directly, Standard Webhooks libraries read webhook-*.
        _headerSets = options.Value.SignatureHeaders switch
        {
            SignatureHeaders.StandardWebhooks => [StandardNames],
            SignatureHeaders.Svix => [SvixNames],
            _ => [StandardNames, SvixNames],
        };
        _client = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(10),
            ConnectCallback = ConnectAsync,
        })
        { Timeout = Timeout.InfiniteTimeSpan };
    }

    public async Task<AttemptOutcome> SendAsync(WebhookRequest webhook, CancellationToken cancellationToken)
    {
        var timestamp = _time.GetUtcNow();
        if (_requireHttps && !webhook.Url.StartsWith("https:", StringComparison.OrdinalIgnoreCase))
        {
            return new AttemptOutcome(false, 0, null, TimeSpan.Zero, "Refused to send: this server requires https endpoint URLs (Herald:Delivery:RequireHttps).", null);
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, webhook.Url) { Content = new ByteArrayContent(webhook.Body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        foreach (var (name, value) in webhook.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        // One signature, computed once, under every chosen set of names: the signed content (id.timestamp.body) is the same.
        var seconds = timestamp.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signature = WebhookSigner.Sign(webhook.MessageId, timestamp, webhook.Body, webhook.Secrets);
        foreach (var names in _headerSets)
        {
            request.Headers.TryAddWithoutValidation(names.Id, webhook.MessageId);
            request.Headers.TryAddWithoutValidation(names.Timestamp, seconds);
            request.Headers.TryAddWithoutValidation(names.Signature, signature);
        }
        request.Headers.TryAddWithoutValidation("user-agent", UserAgent);

        var started = _time.GetTimestamp();
        using var timeout = new CancellationTokenSource(webhook.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
            var body = await ReadCappedAsync(response, linked.Token);
            var status = (int)response.StatusCode;
            var succeeded = status is >= 200 and < 300;
            var error = status is >= 300 and < 400 ? "Redirects are not followed; answer the webhook URL itself with 2xx." : null;
            return new AttemptOutcome(succeeded, status, body, _time.GetElapsedTime(started), error, RetryAfter(response, _time.GetUtcNow()));
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return Failure(started, $"No response within {webhook.Timeout.TotalSeconds:0.#} s.");
        }
        catch (HttpRequestException e)
        {
            return Failure(started, Describe(e));
        }
    }

    private AttemptOutcome Failure(long started, string error) => new(false, 0, null, _time.GetElapsedTime(started), error, null);

    private static string Describe(HttpRequestException e)
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is AddressRefusedException refused)
            {
                return "Refused to connect: " + refused.Message;
            }
        }

        return e.InnerException is SocketException s ? $"Could not connect: {s.Message}." : $"Request failed: {e.Message}";
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response, DateTimeOffset now)
    {
        if (response.StatusCode is not (HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable) || response.Headers.RetryAfter is not { } header)
        {
            return null;
        }

        return header.Delta ?? (header.Date is { } date ? date - now : null);
    }

    private static async Task<string?> ReadCappedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[MaxResponseBytes];
        var total = 0;
        int read;
        while (total < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken)) > 0)
        {
            total += read;
        }

        return total == 0 ? null : Encoding.UTF8.GetString(buffer, 0, total);
    }

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host.Trim('[', ']');
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);
        string? refusal = null;
        Exception? lastError = null;
        foreach (var address in addresses)
        {
            if (_guard.Refusal(address) is { } reason)
            {
                refusal ??= reason;
                continue;
            }

            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                lastError = e;
            }
        }

        if (lastError is not null)
        {
            throw lastError;
        }

        throw new AddressRefusedException(refusal ?? $"{host} resolved to no address.");
    }

    public void Dispose() => _client.Dispose();
}

/// <summary>The connect step refused every address of the endpoint's host.</summary>
internal sealed class AddressRefusedException(string message) : IOException(message);
