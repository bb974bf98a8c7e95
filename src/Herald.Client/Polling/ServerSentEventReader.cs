using System.Net.ServerSentEvents;
using System.Text;

namespace Herald.Client.Http;

/// <summary>One Server-Sent Event: its id (the last one seen, as the spec keeps it) and its data lines joined.</summary>
internal sealed record ServerSentEvent(string? Id, string Data);

/// <summary>
/// Reads <c>text/event-stream</c> with the framework's <see cref="SseParser"/> (the HTML spec's rules: <c>field: value</c>
/// lines, a blank line ends an event, <c>:</c> lines are comments such as heartbeats, the id carries over to the events
/// after it, an event cut off before its blank line is not dispatched). <paramref name="cancellationToken"/> ends the read
/// of the whole stream. The parser's pooled buffers go back to the pool when the stream ends (or to the GC when the
/// connection is dropped mid-stream, as the caller disposes the response).
/// </summary>
internal sealed class ServerSentEventReader(Stream stream, CancellationToken cancellationToken)
{
    private readonly SseParser<string> _parser = SseParser.Create(stream, static (_, data) => Encoding.UTF8.GetString(data));
    private IAsyncEnumerator<SseItem<string>>? _events;

    /// <summary>The next event with data, or null when the stream ended.</summary>
    public async Task<ServerSentEvent?> ReadAsync()
    {
        _events ??= _parser.EnumerateAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
        if (!await _events.MoveNextAsync().ConfigureAwait(false))
        {
            return null;
        }

        // An item carries only its own id; the parser keeps the last one, which the events after it carry over.
        var item = _events.Current;
        return new ServerSentEvent(item.EventId ?? (_parser.LastEventId is { Length: > 0 } last ? last : null), item.Data);
    }

    /// <summary>The last <c>retry:</c> the server sent, even in an event without data.</summary>
    public TimeSpan? RetryHint => _parser.ReconnectionInterval == Timeout.InfiniteTimeSpan ? null : _parser.ReconnectionInterval;
}
