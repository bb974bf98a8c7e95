using System.Globalization;
using System.Net.Sockets;
using System.Security.Authentication;

namespace Herald.Server.Delivery;

/// <summary>
/// The attempt-log error of a try that an exception ended, by what ended it. The text is shown to application owners,
/// so it names the host and port and never the path or query (which may carry a token), the payload or a secret.
/// Null when the exception is no network failure: the sender logs it and records <see cref="Unexpected"/>.
/// </summary>
internal static class SendError
{
    /// <summary>How the error of a try refused by the <see cref="AddressGuard"/> begins.</summary>
    public const string RefusedPrefix = "Refused to connect: ";

    /// <summary>Why a try failed before its response headers arrived.</summary>
    /// <param name="e">What ended the try.</param>
    /// <param name="url">Where it was sent; only its host and port are named.</param>
    /// <param name="timedOut">The attempt's time limit, when that is what ended the try.</param>
    /// <param name="connectTimeout">The handler's limit for opening a connection.</param>
    public static string? BeforeHeaders(Exception e, Uri url, TimeSpan? timedOut, TimeSpan connectTimeout)
    {
        var target = $"{url.IdnHost}:{url.Port}";
        return (e, timedOut) switch
        {
            (_, { } limit) => $"No response within {Seconds(limit)} s.",
            (OperationCanceledException, _) when Find<TimeoutException>(e) is not null => $"Could not connect to {target} within {Seconds(connectTimeout)} s.",
            (HttpRequestException http, _) => Describe(http, target),
            _ => null,
        };
    }

    /// <summary>
    /// Why a try failed after its status line arrived, while the body was read. A body cut short fails the try even
    /// after a 2xx: the receiver may have crashed after writing its status line, before it did the work. Trying
    /// again is safe, since receivers deduplicate on the webhook id.
    /// </summary>
    public static string? MidBody(Exception e, int status, TimeSpan? timedOut)
    {
        if (timedOut is { } limit)
        {
            return $"No complete response within {Seconds(limit)} s: status {status} arrived, the body did not; counted as a failed try.";
        }

        if (Find<SocketException>(e) is { SocketErrorCode: SocketError.ConnectionReset })
        {
            return $"The connection was reset after status {status}, while reading the response body; counted as a failed try.";
        }

        if (Find<HttpIOException>(e) is { HttpRequestError: HttpRequestError.ResponseEnded })
        {
            return $"The connection was closed after status {status}, before the response body was complete; counted as a failed try.";
        }

        return e is IOException or HttpRequestException
            ? $"Reading the response body after status {status} failed: {Truncate(e.Message)}; counted as a failed try."
            : null;
    }

    public static string Unexpected(Exception e, int status) => status == 0
        ? $"The try failed unexpectedly ({e.GetType().Name}); the server log has the details."
        : $"The try failed unexpectedly after status {status} ({e.GetType().Name}); the server log has the details.";

    private static string Describe(HttpRequestException e, string target)
    {
        if (Find<AddressRefusedException>(e) is { } refused)
        {
            return RefusedPrefix + refused.Message;
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
}
