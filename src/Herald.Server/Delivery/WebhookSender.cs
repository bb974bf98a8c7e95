using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Runtime.ExceptionServices;
using System.Text;
using Herald.Server.Diagnostics;
using Herald.Server.Endpoints;
using Herald.Server.Transformations;
using Microsoft.Extensions.Options;

namespace Herald.Server.Delivery;

/// <summary>One signed POST, ready to go.</summary>
internal sealed record WebhookRequest(
    string Url, string MessageId, byte[] Body, IReadOnlyList<string> Secrets, IReadOnlyDictionary<string, string> Headers, TimeSpan Timeout)
{
    /// <summary>The endpoint's transformation, run before the request is built when it <see cref="EndpointTransformation.Runs"/>.</summary>
    public EndpointTransformation? Transformation { get; init; }

    /// <summary>The message's event type, which the transformation's webhook object carries.</summary>
    public string EventType { get; init; } = "";
}

/// <summary>
/// What happened: <see cref="StatusCode"/> 0 means no HTTP answer (refused, unreachable, timed out; <see cref="Error"/> says
/// which); a failure with a 2xx status and an <see cref="Error"/> is an answer whose body broke off.
/// </summary>
internal sealed record AttemptOutcome(bool Succeeded, int StatusCode, string? Response, TimeSpan Duration, string? Error, TimeSpan? RetryAfter)
{
    /// <summary>Where the try went when the endpoint's transformation changed the URL; null when it went to the endpoint's.</summary>
    public string? Url { get; init; }

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

    /// <summary>The response text of an attempt whose transformation set <c>cancel = true</c>: recorded as succeeded, nothing sent.</summary>
    public const string TransformationCanceled = "Not sent: the endpoint's transformation canceled this webhook (webhook.cancel = true).";
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

    private readonly TransformationSandbox? _transformations;

    public WebhookSender(AddressGuard guard, TimeProvider time, IOptions<DeliveryOptions> options, ILogger<WebhookSender> logger,
        IOptions<TracingOptions>? tracing = null, TransformationSandbox? transformations = null)
    {
        _transformations = transformations;
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
            // No traceparent on webhooks unless asked (Herald:Tracing:PropagateToWebhooks): Svix sends none.
            ActivityHeadersPropagator = tracing?.Value.PropagateToWebhooks == true
                ? System.Diagnostics.DistributedContextPropagator.Current
                : System.Diagnostics.DistributedContextPropagator.CreateNoOutputPropagator(),
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
            return new AttemptOutcome(false, 0, null, TimeSpan.Zero, Unexpected(webhook, e, 0), null);
        }
    }

    private async Task<AttemptOutcome> TrySendAsync(WebhookRequest webhook, CancellationToken cancellationToken)
    {
        var timestamp = _time.GetUtcNow();
        if (webhook.Transformation is { Runs: true } transformation && _transformations is not null)
        {
            // Before anything else, so the https rule, the signature and the address guard apply to what it made.
            var result = _transformations.Run(transformation.Code!, new TransformationInput(webhook.Url, webhook.EventType, webhook.Body, webhook.Headers, timestamp));
            if (result.Error is { } error)
            {
                return new AttemptOutcome(false, 0, null, TimeSpan.Zero, error, null);
            }

            if (result.Canceled)
            {
                return new AttemptOutcome(true, 0, TransformationCanceled, TimeSpan.Zero, null, null);
            }

            var transformed = webhook with { Url = result.Url, Body = result.Body, Headers = result.Headers };
            var outcome = await SendOnceAsync(transformed, new HttpMethod(result.Method), timestamp, cancellationToken);
            return transformed.Url == webhook.Url ? outcome : outcome with { Url = transformed.Url };
        }

        return await SendOnceAsync(webhook, HttpMethod.Post, timestamp, cancellationToken);
    }

    private async Task<AttemptOutcome> SendOnceAsync(WebhookRequest webhook, HttpMethod method, DateTimeOffset timestamp, CancellationToken cancellationToken)
    {
        if (_requireHttps && !webhook.Url.StartsWith("https:", StringComparison.OrdinalIgnoreCase))
        {
            return new AttemptOutcome(false, 0, null, TimeSpan.Zero, "Refused to send: this server requires https endpoint URLs (Herald:Delivery:RequireHttps).", null);
        }

        using var request = new HttpRequestMessage(method, webhook.Url) { Content = new ByteArrayContent(webhook.Body) };
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
            var timedOut = timeout.IsCancellationRequested ? webhook.Timeout : (TimeSpan?)null;
            return Failure(started, 0, null, SendError.BeforeHeaders(e, request.RequestUri!, timedOut, ConnectTimeout) ?? Unexpected(webhook, e, 0));
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            using var body = new ResponseBody();
            try
            {
                await body.ReadAsync(response, linked.Token);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                // A body cut short fails the try even after a 2xx (SendError.MidBody says why); what arrived is kept.
                var timedOut = timeout.IsCancellationRequested ? webhook.Timeout : (TimeSpan?)null;
                return Failure(started, status, body.Text, SendError.MidBody(e, status, timedOut) ?? Unexpected(webhook, e, status));
            }

            var succeeded = status is >= 200 and < 300;
            var error = status is >= 300 and < 400 ? "Redirects are not followed; answer the webhook URL itself with 2xx." : null;
            return new AttemptOutcome(succeeded, status, body.Text, _time.GetElapsedTime(started), error, RetryAfter(response, _time.GetUtcNow()));
        }
    }

    private AttemptOutcome Failure(long started, int status, string? response, string error) =>
        new(false, status, response, _time.GetElapsedTime(started), error, null);

    /// <summary>A try ended by an exception that is no network failure (a bug): logged once, recorded as a failed try.</summary>
    private string Unexpected(WebhookRequest webhook, Exception e, int status)
    {
        LogUnexpected(_logger, webhook.MessageId, e);
        return SendError.Unexpected(e, status);
    }

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
        ExceptionDispatchInfo? lastError = null;
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
                lastError = ExceptionDispatchInfo.Capture(e);
            }
        }

        lastError?.Throw(); // The last address's failure, with the stack trace where it was thrown.

        throw new AddressRefusedException(refusal ?? $"{host} resolved to no address.");
    }

    /// <summary>
    /// Sends a request that is not a webhook (the endpoint verification handshake, Endpoints/EndpointHandshake.cs) over
    /// the same guarded handler: the address check, no redirects, the https rule. Returns the response (headers read,
    /// body not), or why there is none.
    /// </summary>
    public async Task<(HttpResponseMessage? Response, string? Error)> SendGuardedAsync(HttpRequestMessage request, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (_requireHttps && request.RequestUri?.Scheme != Uri.UriSchemeHttps)
        {
            return (null, "Refused to send: this server requires https endpoint URLs (Herald:Delivery:RequireHttps).");
        }

        request.Headers.TryAddWithoutValidation("user-agent", UserAgent);
        using var timeoutSource = new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeoutSource.Token, cancellationToken);
        try
        {
            return (await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token), null);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            var timedOut = timeoutSource.IsCancellationRequested ? timeout : (TimeSpan?)null;
            return (null, SendError.BeforeHeaders(e, request.RequestUri!, timedOut, ConnectTimeout) ?? SendError.Unexpected(e, 0));
        }
    }

    public void Dispose() => _client.Dispose();

    [LoggerMessage(EventId = EventIds.SendUnexpected, Level = LogLevel.Warning, Message = "A try of message {MessageId} failed unexpectedly; it is recorded as a failed attempt")]
    private static partial void LogUnexpected(ILogger logger, string messageId, Exception exception);
}

/// <summary>
/// The first <see cref="WebhookSender.MaxResponseBytes"/> of a response body; what was read stays readable when reading
/// fails. The buffer is rented from <see cref="ArrayPool{T}.Shared"/> (as YARP's StreamCopier does) rather than allocated
/// per attempt, and given back on dispose.
/// </summary>
internal sealed class ResponseBody : IDisposable
{
    private byte[]? _buffer = ArrayPool<byte>.Shared.Rent(WebhookSender.MaxResponseBytes);
    private int _length;

    public string? Text => _length == 0 ? null : Encoding.UTF8.GetString(Buffer, 0, _length);

    private byte[] Buffer => _buffer ?? throw new ObjectDisposedException(nameof(ResponseBody));

    public async Task ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var buffer = Buffer;
        int read;
        // The rented array may be longer than asked for: the limit is MaxResponseBytes, not its length.
        while (_length < WebhookSender.MaxResponseBytes
            && (read = await stream.ReadAsync(buffer.AsMemory(_length, WebhookSender.MaxResponseBytes - _length), cancellationToken)) > 0)
        {
            _length += read;
        }
    }

    public void Dispose()
    {
        if (_buffer is { } buffer)
        {
            _buffer = null;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}

/// <summary>The connect step refused every address of the endpoint's host.</summary>
internal sealed class AddressRefusedException(string message) : IOException(message);
