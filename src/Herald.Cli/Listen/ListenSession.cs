using Herald.Client;

namespace Herald.Cli.Listen;

/// <summary>
/// One run of <c>herald listen</c>. Reads the polling endpoint's messages in commit order — over Server-Sent Events, or by
/// long-polling when the stream is unavailable — forwards each to the local URL, and commits the consumer's cursor after
/// each successful forward, so a restart resumes right after the last forwarded message (at most that one repeats).
/// </summary>
internal sealed class ListenSession(HeraldClient herald, ListenSettings settings, LocalForwarder forwarder, ListenReporter reporter, TimeProvider time)
{
    // Set once a message could not be forwarded: later messages are still forwarded, but the cursor stays before the
    // failed one, so the next run delivers it (and what followed) again rather than losing it.
    private string? _blockedAt;

    /// <summary>The position read through in this run (commits may lag behind it, see <see cref="_blockedAt"/>).</summary>
    private string? _position;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        // The server keeps the consumer's cursor but does not expose it by itself: the first message after it (if any)
        // is read through the consumer route, and the page's iterator is where the stream resumes.
        var first = await herald.Poller.ConsumerPollAsync(settings.App, settings.Sink, settings.Consumer, new PollOptions { Limit = 1 }, cancellationToken);
        _position = first.Iterator;
        foreach (var message in first.Data)
        {
            await HandleAsync(message, first.Iterator, cancellationToken);
        }

        while (true)
        {
            await FollowStreamAsync(cancellationToken);
            await LongPollAsync(cancellationToken);
        }
    }

    private async Task FollowStreamAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var message in herald.Poller.StreamAsync(settings.App, settings.Sink, _position, cancellationToken))
            {
                await HandleAsync(message, message.StreamId ?? throw new InvalidOperationException("A streamed message has no event id."), cancellationToken);
            }
        }
        catch (Exception e) when (e is HttpRequestException or IOException or HeraldApiException or System.Text.Json.JsonException && !cancellationToken.IsCancellationRequested)
        {
            await reporter.NoticeAsync("stream_unavailable", $"stream unavailable ({Describe(e)}); falling back to long-polling");
        }
    }

    // A limit of one message per read: the page's iterator is then that message's own position, so each forward is
    // committed by itself and a restart repeats at most the last message.
    private async Task LongPollAsync(CancellationToken cancellationToken)
    {
        var pollsBeforeStreamRetry = 20;
        while (pollsBeforeStreamRetry-- > 0)
        {
            PollerPage page;
            try
            {
                page = await herald.Poller.PollAsync(
                    settings.App, settings.Sink, new PollOptions { Iterator = _position, Limit = 1, Wait = settings.LongPollWait }, cancellationToken);
            }
            catch (Exception e) when (e is HttpRequestException or IOException or HeraldApiException { StatusCode: >= System.Net.HttpStatusCode.InternalServerError }
                && !cancellationToken.IsCancellationRequested)
            {
                await reporter.NoticeAsync("unreachable", $"cannot read from Herald ({Describe(e)}); retrying");
                await Task.Delay(settings.ReconnectDelay, time, cancellationToken);
                continue;
            }

            foreach (var message in page.Data)
            {
                await HandleAsync(message, page.Iterator, cancellationToken);
            }

            _position = page.Iterator;
        }
    }

    private async Task HandleAsync(PolledMessage message, string iterator, CancellationToken cancellationToken)
    {
        var result = await forwarder.ForwardAsync(message, retry => reporter.ForwardedAsync(message, retry), cancellationToken);
        await reporter.ForwardedAsync(message, result);
        _position = iterator;
        if (!result.Delivered)
        {
            _blockedAt ??= message.Id;
            await reporter.NotDeliveredAsync(message, result.Attempts);
            return;
        }

        if (_blockedAt is not null)
        {
            return;
        }

        try
        {
            await herald.Poller.CommitAsync(settings.App, settings.Sink, settings.Consumer, iterator, cancellationToken: cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or HeraldApiException && !cancellationToken.IsCancellationRequested)
        {
            // Commits are cumulative: the next successful one covers this message too.
            await reporter.NoticeAsync("commit_failed", $"could not commit the cursor after {message.Id} ({Describe(e)}); will commit with the next message", message.Id);
        }
    }

    private static string Describe(Exception e) => e is HeraldApiException api ? $"{api.Code}: {api.Detail}" : e.Message;
}
