using System.Globalization;
using System.Text;

namespace Herald.Client.Http;

/// <summary>One Server-Sent Event: its id (the last one seen, as the spec keeps it) and its data lines joined.</summary>
internal sealed record ServerSentEvent(string? Id, string Data);

/// <summary>
/// Reads <c>text/event-stream</c> as the HTML spec defines it: <c>field: value</c> lines, a blank line ends an event,
/// lines starting with <c>:</c> are comments (heartbeats), and the id carries over to the events after it.
/// </summary>
internal sealed class ServerSentEventReader(Stream stream)
{
    private readonly StreamReader _reader = new(stream, Encoding.UTF8);
    private string? _lastEventId;

    /// <summary>The next event with data, or null when the stream ended.</summary>
    public async Task<ServerSentEvent?> ReadAsync(CancellationToken cancellationToken)
    {
        var data = new StringBuilder();
        var hasData = false;
        while (await _reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (line.Length == 0)
            {
                if (hasData)
                {
                    return new ServerSentEvent(_lastEventId, data.ToString());
                }

                continue;
            }

            if (line[0] == ':')
            {
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? "" : line[(colon + 1)..];
            if (value.StartsWith(' '))
            {
                value = value[1..];
            }

            switch (field)
            {
                case "data":
                    if (hasData)
                    {
                        data.Append('\n');
                    }

                    data.Append(value);
                    hasData = true;
                    break;
                case "id" when !value.Contains('\0', StringComparison.Ordinal):
                    _lastEventId = value;
                    break;
                case "retry" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds):
                    RetryHint = TimeSpan.FromMilliseconds(milliseconds);
                    break;
            }
        }

        return null;
    }

    /// <summary>The last <c>retry:</c> the server sent, even in an event without data.</summary>
    public TimeSpan? RetryHint { get; private set; }
}
