using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Authentication;
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
internal sealed partial class WebhookSender : IDisposable
{
    public const int MaxResponseBytes = 64 * 1024;
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);
    private static readonly string UserAgent = $"Herald/{typeof(WebhookSender).Assembly.GetName().Version?.ToString(3) ?? "0.0.0"}";

    private readonly HttpClient _client;
    private readonly AddressGuard _guard;
    private readonly TimeProvider _time;
    private readonly ILogger<WebhookSender> _logger;
    private static readonly (string Id, string Timestamp, string Signature) StandardNames = ("webhook-id", "webhook-timestamp", "webhook-signature");
    private static readonly (string Id, string Timestamp, string Signature) SvixNames = ("svix-id", "svix-timestamp", "svix-signature");
    private readonly (string Id, string Timestamp, string Signature)[] _headerSets;
    private readonly bool _requireHttps;

    public WebhookSender(AddressGuard guard, TimeProvider time, IOptions<DeliveryOptions> options, ILogger<WebhookSender> logger)
    {
        _guard = guard;
        _time = time;
        _logger = logger;
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
            ConnectTimeout = ConnectTimeout,
            ConnectCallback = ConnectAsync,
        })
        { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>
    /// Makes one try and says how it ended. Never throws, except <see cref="OperationCanceledException"/> when
    /// <paramref name="cancellationToken"/> is canceled: whatever else goes wrong is a failed try, so the caller records
    /// it and counts it toward the retry schedule and the endpoint's health.
    /// </summary>
    public async Task<AttemptOutcome> SendAsync(WebhookRequest webhook, CancellationToken cancellationToken)
    {
        try
        {
            return await TrySendAsync(webhook, cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            LogUnexpected(_logger, webhook.MessageId, e);
            return new AttemptOutcome(false, 0, null, TimeSpan.Zero, Unexpected(e), null);
        }
    }

    private async Task<AttemptOutcome> TrySendAsync(WebhookRequest webhook, CancellationToken cancellationToken)
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
        HttpResponseMessage response;
        try
        {
            response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            return Failure(started, 0, null, BeforeHeaders(e, request.RequestUri!, timeout.IsCancellationRequested, webhook));
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            var body = new ResponseBody();
            try
            {
                await body.ReadAsync(response, linked.Token);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                // A body cut short is a failed try even after a 2xx: the receiver may have crashed after writing its status
                // line, before it did the work. Trying again is safe, since receivers deduplicate on the webhook id.
                return Failure(started, status, body.Text, MidBody(e, status, timeout.IsCancellationRequested, webhook));
            }

            var succeeded = status is >= 200 and < 300;
            var error = status is >= 300 and < 400 ? "Redirects are not followed; answer the webhook URL itself with 2xx." : null;
            return new AttemptOutcome(succeeded, status, body.Text, _time.GetElapsedTime(started), error, RetryAfter(response, _time.GetUtcNow()));
        }
    }

    private AttemptOutcome Failure(long started, int status, string? response, string error) =>
        new(false, status, response, _time.GetElapsedTime(started), error, null);

    // Errors are stored in the attempt log and shown to application owners: they name the host and port, never the
    // path or query (which may carry a token), the payload or a secret.

    /// <summary>Why a try failed before response headers arrived.</summary>
    private string BeforeHeaders(Exception e, Uri url, bool timedOut, WebhookRequest webhook)
    {
        var target = $"{url.IdnHost}:{url.Port}";
        if (timedOut)
        {
            return $"No response within {Seconds(webhook.Timeout)} s.";
        }

        switch (e)
        {
            case OperationCanceledException when Find<TimeoutException>(e) is not null:
                return $"Could not connect to {target} within {Seconds(ConnectTimeout)} s.";
            case HttpRequestException http:
                return Describe(http, target);
            default:
                LogUnexpected(_logger, webhook.MessageId, e);
                return Unexpected(e);
        }
    }

    private static string Describe(HttpRequestException e, string target)
    {
        if (Find<AddressRefusedException>(e) is { } refused)
        {
            return "Refused to connect: " + refused.Message;
        }

        if (Find<AuthenticationException>(e) is { } tls)
        {
            return $"TLS handshake with {target} failed: {tls.Message}";
        }

        var socket = Find<SocketException>(e);
        return (e.HttpRequestError, socket?.SocketErrorCode) switch
        {
            (_, SocketError.HostNotFound or SocketError.NoData) => $"DNS: no such host ({target}).",
            (HttpRequestError.NameResolutionError, _) => $"DNS lookup for {target} failed: {socket?.Message ?? e.Message}.",
            (_, SocketError.ConnectionRefused) => $"Could not connect to {target}: connection refused.",
            (_, SocketError.ConnectionReset) => $"The connection to {target} was reset before response headers arrived.",
            (HttpRequestError.ResponseEnded, _) => $"The connection to {target} was closed before response headers arrived.",
            (HttpRequestError.SecureConnectionError, _) => $"TLS handshake with {target} failed: {e.InnerException?.Message ?? e.Message}",
            (HttpRequestError.InvalidResponse, _) => $"The answer from {target} was not valid HTTP: {Truncate(e.Message)}",
            (HttpRequestError.ConnectionError, { } code) => $"Could not connect to {target}: {socket!.Message} ({code}).",
            _ => $"Request failed: {Truncate(e.InnerException?.Message ?? e.Message)}",
        };
    }

    /// <summary>Why a try failed after the status line arrived, while its body was being read.</summary>
    private string MidBody(Exception e, int status, bool timedOut, WebhookRequest webhook)
    {
        if (timedOut)
        {
            return $"No complete response within {Seconds(webhook.Timeout)} s: status {status} arrived, the body did not; counted as a failed try.";
        }

        if (Find<SocketException>(e) is { SocketErrorCode: SocketError.ConnectionReset })
        {
            return $"The connection was reset after status {status}, while reading the response body; counted as a failed try.";
        }

        if (Find<HttpIOException>(e) is { HttpRequestError: HttpRequestError.ResponseEnded })
        {
            return $"The connection was closed after status {status}, before the response body was complete; counted as a failed try.";
        }

        if (e is IOException or HttpRequestException)
        {
            return $"Reading the response body after status {status} failed: {Truncate(e.Message)}; counted as a failed try.";
        }

        LogUnexpected(_logger, webhook.MessageId, e);
        return $"The try failed unexpectedly after status {status} ({e.GetType().Name}); the server log has the details.";
    }

    private static string Unexpected(Exception e) => $"The try failed unexpectedly ({e.GetType().Name}); the server log has the details.";

    private static T? Find<T>(Exception e) where T : Exception
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is T found)
            {
                return found;
            }
        }

        return null;
    }

    private static string Seconds(TimeSpan duration) => duration.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture);

    private static string Truncate(string text) => text.Length <= 200 ? text : text[..200] + "…";

    private static TimeSpan? RetryAfter(HttpResponseMessage response, DateTimeOffset now)
    {
        if (response.StatusCode is not (HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable) || response.Headers.RetryAfter is not { } header)
        {
            return null;
        }

        return header.Delta ?? (header.Date is { } date ? date - now : null);
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

    [LoggerMessage(EventId = 2201, Level = LogLevel.Warning, Message = "A try of message {MessageId} failed unexpectedly; it is recorded as a failed attempt")]
    private static partial void LogUnexpected(ILogger logger, string messageId, Exception exception);
}

/// <summary>The first <see cref="WebhookSender.MaxResponseBytes"/> of a response body; what was read stays readable when reading fails.</summary>
internal sealed class ResponseBody
{
    private readonly byte[] _buffer = new byte[WebhookSender.MaxResponseBytes];
    private int _length;

    public string? Text => _length == 0 ? null : Encoding.UTF8.GetString(_buffer, 0, _length);

    public async Task ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        int read;
        while (_length < _buffer.Length && (read = await stream.ReadAsync(_buffer.AsMemory(_length), cancellationToken)) > 0)
        {
            _length += read;
        }
    }
}

/// <summary>The connect step refused every address of the endpoint's host.</summary>
internal sealed class AddressRefusedException(string message) : IOException(message);
