using System.Globalization;
using Herald.Server.Api;
using Herald.Server.Auth;
using Herald.Server.Storage;

namespace Herald.Server.Polling;

/// <summary>
/// Reading a polling endpoint: the application's messages in commit order (the per-app sequence, never creation
/// time), filtered like a webhook endpoint. Plain polls, long-polls (<c>wait</c>), a consumer's server-kept
/// cursor, and a Server-Sent-Events stream.
/// </summary>
internal static class PollerApi
{
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(60);

    public static RouteGroupBuilder MapPoller(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/app/{app_id}/poller/{sink_id}").WithTags("Polling endpoints");
        group.MapGet("/", PollAsync)
            .WithSummary("Messages after `iterator` (from the start without one, or from `after`), in commit order; `wait=30s` holds the request until one arrives.")
            .WithDescription("A page of at most `limit` messages matching the polling endpoint's event types and channels, and the iterator to continue from. With `wait` (up to 60 s) and nothing new, the request is held until a message commits or the wait ends.");
        group.MapGet("/consumer/{consumer_id}", ConsumeAsync)
            .WithSummary("Messages after the consumer's committed cursor; passing `iterator` commits it first.")
            .WithDescription("The consumer's cursor is kept by Herald per consumer_id, starting at the beginning of the log. Answers like GET /poller/{sink_id}; the cursor moves only on commit.");
        group.MapPost("/consumer/{consumer_id}/commit", CommitAsync).Accepts<PollingEndpointConsumerCommitIn>("application/json")
            .WithSummary("Commit the consumer's cursor: everything up to `iterator` is processed.")
            .WithDescription("Sets the consumer's cursor to the iterator; the next consumer read starts after it. Answers 204.");
        group.MapPost("/consumer/{consumer_id}/seek", SeekAsync).Accepts<PollingEndpointConsumerSeekIn>("application/json")
            .WithSummary("Move the consumer's cursor to a time: the next read starts with the first message after it.")
            .WithDescription("Answers the iterator of the new position.");
        group.MapGet("/stream", PollerStream.StreamAsync).Produces<string>(StatusCodes.Status200OK, "text/event-stream")
            .WithSummary("Server-Sent Events: every matching message as it commits (event id = iterator); resumes from Last-Event-ID.")
            .WithDescription("A text/event-stream that sends every matching message as it commits, one event each, with its iterator as event id. A reconnect with Last-Event-ID (or `iterator`) continues after it.");
        return group;
    }

    private static async Task<Ok<PollingEndpointOut>> PollAsync(
        CurrentApplication app, string sink_id, [AsParameters] PollQuery query, HttpContext context, IPollingStore store, MessageLogSignal signal, TimeProvider time, ContentGate gate,
        SharedLogReads reads)
    {
        var sink = await app.FindPollingEndpointAsync(store, sink_id, context.RequestAborted);
        var v = new Validator();
        var read = ReadRequest.Parse(query, query.Limit, query.Wait, gate.PageByteBudget, v);
        var after = Iterator.Parse(v, query.Iterator);
        var from = query.After;
        v.ThrowIfInvalid();
        var position = after ?? (from is { } t ? await store.LogPositionAtAsync(sink.ApplicationId, t, context.RequestAborted) : 0);
        var (page, slot) = await ReadAsync(reads, signal, time, sink, read, position, context.RequestAborted);
        context.Response.RegisterForDispose(slot);
        return TypedResults.Ok(ToOut(page));
    }

    private static async Task<Ok<PollingEndpointOut>> ConsumeAsync(
        CurrentApplication app, string sink_id, string consumer_id, [AsParameters] ConsumerPollQuery query, HttpContext context, IPollingStore store,
        MessageLogSignal signal, TimeProvider time, ContentGate gate, SharedLogReads reads)
    {
        var sink = await app.FindPollingEndpointAsync(store, sink_id, context.RequestAborted);
        var v = new Validator();
        v.Identifier("path.consumer_id", consumer_id, required: true);
        var read = ReadRequest.Parse(query, query.Limit, query.Wait, gate.PageByteBudget, v);
        var commit = Iterator.Parse(v, query.Iterator);
        v.ThrowIfInvalid();
        if (commit is { } committed)
        {
            await store.SetConsumerPositionAsync(sink.Id, consumer_id, committed, time.Now(), context.RequestAborted);
        }

        var position = commit ?? await store.GetConsumerPositionAsync(sink.Id, consumer_id, context.RequestAborted) ?? 0;
        var (page, slot) = await ReadAsync(reads, signal, time, sink, read, position, context.RequestAborted);
        context.Response.RegisterForDispose(slot);
        return TypedResults.Ok(ToOut(page));
    }

    private static async Task<NoContent> CommitAsync(CurrentApplication app, string sink_id, string consumer_id, HttpContext context, IPollingStore store, TimeProvider time)
    {
        var sink = await app.FindPollingEndpointAsync(store, sink_id, context.RequestAborted);
        using var body = await JsonBody.ReadAsync(context.Request, HeraldJsonContext.Api.PollingEndpointConsumerCommitIn, context.RequestAborted);
        var v = new Validator();
        v.Identifier("path.consumer_id", consumer_id, required: true);
        var position = v.Required("body.iterator", body.Value.Iterator) ? Iterator.Parse(v, body.Value.Iterator, "body.iterator") : null;
        v.ThrowIfInvalid();
        await store.SetConsumerPositionAsync(sink.Id, consumer_id, position!.Value, time.Now(), context.RequestAborted);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<PollingEndpointConsumerSeekOut>> SeekAsync(
        CurrentApplication app, string sink_id, string consumer_id, HttpContext context, IPollingStore store, TimeProvider time)
    {
        var sink = await app.FindPollingEndpointAsync(store, sink_id, context.RequestAborted);
        using var body = await JsonBody.ReadAsync(context.Request, HeraldJsonContext.Api.PollingEndpointConsumerSeekIn, context.RequestAborted);
        var v = new Validator();
        v.Identifier("path.consumer_id", consumer_id, required: true);
        v.Required("body.after", body.Value.After);
        v.ThrowIfInvalid();
        var position = await store.LogPositionAtAsync(sink.ApplicationId, body.Value.After!.Value, context.RequestAborted);
        await store.SetConsumerPositionAsync(sink.Id, consumer_id, position, time.Now(), context.RequestAborted);
        return TypedResults.Ok(new PollingEndpointConsumerSeekOut(Iterator.Format(position)));
    }

    /// <summary>
    /// Reads a page after <paramref name="position"/>; when it is empty and the request may wait, holds on until a
    /// message of the application commits (then reads again) or the wait is over. The page comes with its part of a
    /// content-gate slot, to give back once it is written; no slot is held while waiting. Readers of the same page at
    /// the same moment share one read (<see cref="SharedLogReads"/>).
    /// </summary>
    public static async Task<(LogPage Page, IDisposable Slot)> ReadAsync(
        SharedLogReads reads, MessageLogSignal signal, TimeProvider time, PollingEndpoint sink, ReadRequest read, long position,
        CancellationToken cancellationToken)
    {
        if (sink.Disabled)
        {
            throw ApiException.Conflict("This polling endpoint is disabled; enable it to read from it.", "polling_endpoint_disabled");
        }

        var filter = new LogFilter(sink.EventTypes, sink.Channels, read.EventType, read.Channel);
        var deadline = time.GetUtcNow() + read.Wait;
        while (true)
        {
            // Take the wake-up before reading: a commit between the read and the wait still wakes us.
            var nextCommit = signal.NextCommit(sink.ApplicationId);
            var (page, slot) = await reads.ReadAsync(sink, filter, read.Limit, read.MaxBytes, position, nextCommit, cancellationToken);
            var remaining = deadline - time.GetUtcNow();
            if (page.Messages.Count > 0 || remaining <= TimeSpan.Zero)
            {
                return (page, slot);
            }

            slot.Dispose();
            position = page.Position;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            await Task.WhenAny(nextCommit, Task.Delay(remaining, time, timeout.Token));
            await timeout.CancelAsync();
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    private static PollingEndpointOut ToOut(LogPage page) =>
        new(page.Messages.Select(PollingEndpointMessageOut.From).ToList(), Iterator.Format(page.Position), page.Done);
}

/// <summary>What a poller read asks for: page size (in messages and in payload bytes), extra filters and how long it may wait.</summary>
internal sealed record ReadRequest(int Limit, long MaxBytes, string? EventType, string? Channel, TimeSpan Wait)
{
    public static ReadRequest Parse(PollerReadQuery query, int? pageSize, string? wait, long maxBytes, Validator v)
    {
        var limit = pageSize ?? Paging.DefaultLimit;
        if (limit is < 1 or > Paging.MaxLimit)
        {
            v.Add("query.limit", "out_of_range", Paging.LimitRule);
        }

        var eventType = query.EventType is { Length: > 0 } e ? e : null;
        var channel = query.Channel is { Length: > 0 } c ? c : null;
        v.Identifier("query.event_type", eventType).Channels("query.channel", channel is null ? null : [channel]);
        return new ReadRequest(limit, maxBytes, eventType, channel, ParseWait(wait ?? "", v));
    }

    /// <summary><c>wait=30s</c>, <c>wait=30</c> (seconds) or <c>wait=500ms</c>; at most <see cref="PollerApi.MaxWait"/>.</summary>
    private static TimeSpan ParseWait(string text, Validator v)
    {
        if (text.Length == 0)
        {
            return TimeSpan.Zero;
        }

        var (number, unit) = text.EndsWith("ms", StringComparison.Ordinal) ? (text[..^2], 0.001)
            : text.EndsWith('s') ? (text[..^1], 1.0)
            : (text, 1.0);
        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) || value * unit > PollerApi.MaxWait.TotalSeconds)
        {
            v.Add("query.wait", "out_of_range", $"must be a duration like 30s or 500ms, at most {PollerApi.MaxWait.TotalSeconds:0} s.");
            return TimeSpan.Zero;
        }

        return TimeSpan.FromSeconds(value * unit);
    }
}

/// <summary>Poller iterators: the log position (a per-application sequence number) the next read continues after.</summary>
internal static class Iterator
{
    public static string Format(long position) => position.ToString(CultureInfo.InvariantCulture);

    public static long? Parse(Validator v, string? text, string location = "query.iterator")
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var position))
        {
            return position;
        }

        v.Add(location, "invalid_iterator", "is not an iterator this poller returned.");
        return null;
    }
}
