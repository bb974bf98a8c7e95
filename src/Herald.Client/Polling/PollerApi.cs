using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Herald.Client.Http;

namespace Herald.Client;

/// <summary>
/// Reading a polling endpoint (<c>/api/v1/app/{app}/poller/{sink}</c>): the application's messages in commit order,
/// with nothing skipped. Plain polls and long-polls, a server-kept cursor per consumer, and a Server-Sent-Events stream.
/// </summary>
public sealed class PollerApi
{
    private static readonly TimeSpan DefaultReconnectDelay = TimeSpan.FromSeconds(2);
    private readonly HeraldHttp _http;

    internal PollerApi(HeraldHttp http) => _http = http;

    private static string BasePath(string appId, string sinkId) => $"{ApiPath.App(appId)}/poller/{ApiPath.Escape(sinkId)}";

    private static string Consumer(string appId, string sinkId, string consumerId) => $"{BasePath(appId, sinkId)}/consumer/{ApiPath.Escape(consumerId)}";

    private static QueryBuilder Filtered(string path, PollOptions? options) => new QueryBuilder(path)
        .Add("limit", options?.Limit)
        .Add("event_type", options?.EventType)
        .Add("channel", options?.Channel);

    private static string? FormatWait(TimeSpan? wait) =>
        wait is { } w ? ((long)Math.Ceiling(w.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture) + "ms" : null;

    /// <summary>
    /// Messages after <see cref="PollOptions.Iterator"/> (from the start without one, or from <see cref="PollOptions.After"/>).
    /// With <see cref="PollOptions.Wait"/>, an empty read is held open until a message commits or the wait is over.
    /// Pass the page's <see cref="PollerPage.Iterator"/> to the next poll.
    /// </summary>
    /// <param name="appId">Application id or uid.</param>
    /// <param name="sinkId">Polling endpoint id or uid.</param>
    /// <param name="options">Where to start, filters, page size and wait.</param>
    /// <param name="cancellationToken">Cancels the request, a long-poll included.</param>
    public Task<PollerPage> PollAsync(string appId, string sinkId, PollOptions? options = null, CancellationToken cancellationToken = default) =>
        _http.GetAsync(
            Filtered(BasePath(appId, sinkId), options)
                .Add("iterator", options?.Iterator)
                .Add("after", options?.After)
                .Add("wait", FormatWait(options?.Wait))
                .ToString(),
            HeraldJsonContext.Default.PollerPage,
            cancellationToken);

    /// <summary>
    /// Messages after the consumer's committed cursor (from the start for a new consumer). A given
    /// <see cref="PollOptions.Iterator"/> is committed first, so "read, process, read with the page's iterator" never loses
    /// or repeats a message across restarts. <see cref="PollOptions.After"/> is not used: see <see cref="SeekAsync"/>.
    /// </summary>
    /// <param name="appId">Application id or uid.</param>
    /// <param name="sinkId">Polling endpoint id or uid.</param>
    /// <param name="consumerId">Your name for the consumer (letters, digits, <c>-_.</c>).</param>
    /// <param name="options">Iterator to commit, filters, page size and wait.</param>
    /// <param name="cancellationToken">Cancels the request, a long-poll included.</param>
    public Task<PollerPage> ConsumerPollAsync(string appId, string sinkId, string consumerId, PollOptions? options = null, CancellationToken cancellationToken = default) =>
        _http.GetAsync(
            Filtered(Consumer(appId, sinkId, consumerId), options)
                .Add("iterator", options?.Iterator)
                .Add("wait", FormatWait(options?.Wait))
                .ToString(),
            HeraldJsonContext.Default.PollerPage,
            cancellationToken);

    /// <summary>Commits the consumer's cursor: everything up to <paramref name="iterator"/> is processed.</summary>
    /// <param name="appId">Application id or uid.</param>
    /// <param name="sinkId">Polling endpoint id or uid.</param>
    /// <param name="consumerId">The consumer.</param>
    /// <param name="iterator">A page's <see cref="PollerPage.Iterator"/> or a streamed <see cref="PolledMessage.StreamId"/>.</param>
    /// <param name="idempotencyKey">Key to make retries safe; one is generated when null.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task CommitAsync(string appId, string sinkId, string consumerId, string iterator, string? idempotencyKey = null, CancellationToken cancellationToken = default) =>
        _http.PostAsync(Consumer(appId, sinkId, consumerId) + "/commit", new PollerCommitIn(iterator), HeraldJsonContext.Default.PollerCommitIn, idempotencyKey, cancellationToken);

    /// <summary>Moves the consumer's cursor to a time: its next read starts with the first message published after it.</summary>
    /// <param name="appId">Application id or uid.</param>
    /// <param name="sinkId">Polling endpoint id or uid.</param>
    /// <param name="consumerId">The consumer.</param>
    /// <param name="after">The time to move to.</param>
    /// <param name="idempotencyKey">Key to make retries safe; one is generated when null.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task<PollerSeekOut> SeekAsync(string appId, string sinkId, string consumerId, DateTimeOffset after, string? idempotencyKey = null, CancellationToken cancellationToken = default) =>
        _http.PostAsync(
            Consumer(appId, sinkId, consumerId) + "/seek",
            new PollerSeekIn(after),
            HeraldJsonContext.Default.PollerSeekIn,
            HeraldJsonContext.Default.PollerSeekOut,
            idempotencyKey,
            cancellationToken);

    /// <summary>
    /// Every matching message as it commits, over Server-Sent Events, until <paramref name="cancellationToken"/> is
    /// cancelled. A dropped connection is reopened with <c>Last-Event-ID</c>, so nothing is lost or repeated. Keep the last
    /// <see cref="PolledMessage.StreamId"/> you processed and pass it as <paramref name="lastEventId"/> to resume after a restart.
    /// </summary>
    /// <param name="appId">Application id or uid.</param>
    /// <param name="sinkId">Polling endpoint id or uid.</param>
    /// <param name="lastEventId">Resume right after this message; from the start of the log when null.</param>
    /// <param name="cancellationToken">Ends the stream (the enumeration throws <see cref="OperationCanceledException"/>).</param>
    public IAsyncEnumerable<PolledMessage> StreamAsync(string appId, string sinkId, string? lastEventId = null, CancellationToken cancellationToken = default) =>
        StreamAsync(appId, sinkId, new PollOptions(), lastEventId, cancellationToken);

    /// <summary>
    /// Like <see cref="StreamAsync(string, string, string?, CancellationToken)"/>, with filters and a starting point
    /// (<see cref="PollOptions.Iterator"/> or <see cref="PollOptions.After"/>) for when there is no last event id yet.
    /// </summary>
    /// <param name="appId">Application id or uid.</param>
    /// <param name="sinkId">Polling endpoint id or uid.</param>
    /// <param name="options">Filters and where to start; page size and wait are not used.</param>
    /// <param name="lastEventId">Resume right after this message; wins over the options' starting point.</param>
    /// <param name="cancellationToken">Ends the stream.</param>
    public async IAsyncEnumerable<PolledMessage> StreamAsync(
        string appId, string sinkId, PollOptions options, string? lastEventId = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var path = Filtered(BasePath(appId, sinkId) + "/stream", options with { Limit = null })
            .Add("iterator", options.Iterator)
            .Add("after", options.After)
            .ToString();
        var failures = 0;
        TimeSpan? serverRetry = null;
        while (true)
        {
            Exception? error = null;
            HttpResponseMessage? response = null;
            try
            {
                response = await OpenAsync(path, lastEventId, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (IsTransient(e, cancellationToken))
            {
                error = e;
            }

            if (response is not null)
            {
                using (response)
                {
                    var reader = new ServerSentEventReader(
                        await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), cancellationToken);
                    while (true)
                    {
                        ServerSentEvent? next;
                        try
                        {
                            next = await reader.ReadAsync().ConfigureAwait(false);
                        }
                        catch (Exception e) when (IsTransient(e, cancellationToken))
                        {
                            error = e;
                            break;
                        }

                        serverRetry = reader.RetryHint ?? serverRetry;
                        if (next is null)
                        {
                            break;
                        }

                        var message = JsonSerializer.Deserialize(next.Data, HeraldJsonContext.Default.PolledMessage)
                            ?? throw new JsonException("The stream sent an event without a message.");
                        lastEventId = next.Id ?? lastEventId;
                        failures = 0;
                        yield return message with { StreamId = next.Id };
                    }
                }
            }

            // The connection failed or ended (the server never ends it on its own, but a proxy or a restart may).
            if (++failures > _http.Options.StreamMaxReconnectAttempts)
            {
                throw error ?? new HeraldApiException(0, "stream_ended", "The event stream kept ending without sending an event.");
            }

            await Task.Delay(_http.Options.StreamReconnectDelay ?? serverRetry ?? DefaultReconnectDelay, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<HttpResponseMessage> OpenAsync(string path, string? lastEventId, CancellationToken cancellationToken)
    {
        var request = _http.NewRequest(HttpMethod.Get, path);
        request.Headers.Accept.Clear();
        request.Headers.Accept.Add(new("text/event-stream"));
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        return await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>What reconnecting may cure: a broken connection, a timeout, or a server or proxy that is briefly unavailable.</summary>
    private static bool IsTransient(Exception e, CancellationToken cancellationToken) => !cancellationToken.IsCancellationRequested && e switch
    {
        HttpRequestException or IOException or OperationCanceledException => true,
        HeraldApiException api => (int)api.StatusCode >= 500 || (int)api.StatusCode == 429,
        _ => false,
    };
}
