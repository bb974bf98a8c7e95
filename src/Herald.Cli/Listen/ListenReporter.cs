using System.Globalization;
using Herald.Cli.Output;
using Herald.Client;

namespace Herald.Cli.Listen;

/// <summary>
/// What <c>herald listen</c> tells the developer: a "Ready" line with the signing secret first, then one line per
/// forward (status and latency). With <c>--json</c>, the same as one JSON object per line, each with a <c>type</c>.
/// </summary>
internal sealed class ListenReporter(TextWriter output, Ansi ansi, bool json, TimeProvider time)
{
    public Task ReadyAsync(ListenSink sink, Uri target, string startsWith) => json
        ? WriteJsonAsync(new
        {
            type = "ready",
            app = sink.App,
            forwardTo = target.ToString(),
            secret = sink.Secret.Text,
            pollingEndpoint = sink.Uid,
            temporary = sink.Temporary,
            startsWith,
        })
        : WriteAsync(
            $"{ansi.Bold(ansi.Green("Ready!"))} Your webhook signing secret is {ansi.Bold(sink.Secret.Text)} (^C to quit)\n"
            + ansi.Dim($"Forwarding {startsWith} of {sink.App} to {target}; polling endpoint {sink.Uid}"
                + (sink.Temporary ? " (temporary: removed on exit)." : " (kept: the next run resumes where this one stops).")));

    public Task ForwardedAsync(PolledMessage message, ForwardResult result) => json
        ? WriteJsonAsync(new
        {
            type = "forward",
            msgId = message.Id,
            eventType = message.EventType,
            status = result.StatusCode,
            latencyMs = (long)result.Latency.TotalMilliseconds,
            attempt = result.Attempts,
            delivered = result.Delivered,
            error = result.Error,
        })
        : WriteAsync($"{Now()}  {message.EventType}  {message.Id}  {Status(result)}  {result.Latency.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture)} ms"
            + (result.Attempts > 1 ? $"  (attempt {result.Attempts})" : ""));

    public Task NotDeliveredAsync(PolledMessage message, int attempts) => NoticeAsync(
        "not_delivered",
        $"{message.Id} not delivered after {attempts} attempts; the cursor stays before it, so it is sent again when herald listen restarts",
        message.Id);

    public Task NoticeAsync(string kind, string text, string? msgId = null) => json
        ? WriteJsonAsync(new { type = kind, msgId, detail = text })
        : WriteAsync($"{Now()}  {ansi.Yellow(text)}");

    private string Status(ForwardResult result) =>
        result.StatusCode is { } code ? ansi.Status(code, $"-> {code}") : ansi.Red($"-> failed: {result.Error}");

    private Task WriteJsonAsync<T>(T value) => WriteAsync(Printer.JsonLine(value));

    private async Task WriteAsync(string line)
    {
        await output.WriteLineAsync(line);
        await output.FlushAsync();
    }

    private string Now() => ansi.Dim(time.GetLocalNow().ToString("HH:mm:ss", CultureInfo.InvariantCulture));
}
