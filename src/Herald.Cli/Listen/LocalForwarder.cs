using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Herald.Client;

namespace Herald.Cli.Listen;

/// <summary>What forwarding one message to the local URL came to, after its retries.</summary>
/// <param name="Delivered">The local app answered 2xx.</param>
/// <param name="StatusCode">The last HTTP status, if the app answered at all.</param>
/// <param name="Error">Why the last attempt failed without an answer (connection refused, timeout).</param>
/// <param name="Latency">Duration of the last attempt.</param>
/// <param name="Attempts">How many attempts were made.</param>
internal sealed record ForwardResult(bool Delivered, int? StatusCode, string? Error, TimeSpan Latency, int Attempts);

/// <summary>
/// POSTs a message to the developer's local URL as Herald itself would deliver it: Standard Webhooks headers, a fresh
/// timestamp and signature per attempt, and the payload as the body. A failed attempt is retried with a doubling backoff.
/// </summary>
internal sealed class LocalForwarder(HttpClient http, Uri target, WebhookSecret secret, TimeProvider time, ForwardRetryPolicy retry)
{
    public async Task<ForwardResult> ForwardAsync(PolledMessage message, Func<ForwardResult, Task> onRetry, CancellationToken cancellationToken)
    {
        var body = Encoding.UTF8.GetBytes(message.Payload.GetRawText());
        var delay = retry.FirstDelay;
        for (var attempt = 1; ; attempt++)
        {
            var result = await SendOnceAsync(message.Id, body, attempt, cancellationToken);
            if (result.Delivered || attempt >= retry.MaxAttempts)
            {
                return result;
            }

            await onRetry(result);
            await Task.Delay(delay, time, cancellationToken);
            delay *= 2;
        }
    }

    private async Task<ForwardResult> SendOnceAsync(string messageId, byte[] body, int attempt, CancellationToken cancellationToken)
    {
        var timestamp = time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        using var request = new HttpRequestMessage(HttpMethod.Post, target)
        {
            Content = new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
        };
        request.Headers.Add("webhook-id", messageId);
        request.Headers.Add("webhook-timestamp", timestamp);
        request.Headers.Add("webhook-signature", secret.Sign(messageId, timestamp, body));
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("herald-cli", ThisAssembly.Version));
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            return new ForwardResult(response.IsSuccessStatusCode, (int)response.StatusCode, null, Stopwatch.GetElapsedTime(started), attempt);
        }
        catch (HttpRequestException e)
        {
            return new ForwardResult(false, null, e.Message, Stopwatch.GetElapsedTime(started), attempt);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            return new ForwardResult(false, null, "timed out: " + e.Message, Stopwatch.GetElapsedTime(started), attempt);
        }
    }
}

/// <summary>How often and how patiently a failed forward is retried before <c>listen</c> moves on.</summary>
internal sealed record ForwardRetryPolicy
{
    public int MaxAttempts { get; init; } = 4;

    public TimeSpan FirstDelay { get; init; } = TimeSpan.FromSeconds(1);
}
