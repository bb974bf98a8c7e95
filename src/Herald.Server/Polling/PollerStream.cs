using System.Buffers;
using System.Net.ServerSentEvents;
using System.Text.Json;
using Herald.Server.Api;
using Herald.Server.Auth;
using Herald.Server.Storage;

namespace Herald.Server.Polling;

/// <summary>
/// <c>GET …/poller/{sink_id}/stream</c>: Server-Sent Events. Each matching message is one event whose id is its
/// iterator; a client that reconnects with <c>Last-Event-ID</c> (or <c>?iterator=</c>) resumes right after it,
/// with nothing lost or repeated. A comment line every 15 s keeps idle connections open through proxies.
/// </summary>
internal static class PollerStream
{
    public static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);

    public static async Task StreamAsync(
        CurrentApplication app, string sink_id, [AsParameters] StreamQuery query, HttpContext context, IPollingStore store, MessageLogSignal signal, TimeProvider time, ContentGate gate,
        SharedLogReads reads)
    {
        var sink = await app.FindPollingEndpointAsync(store, sink_id, context.RequestAborted);
        var v = new Validator();
        // Every message is sent as it commits, so a page size would change nothing a client sees: refused, not ignored.
        if (context.Request.Query.ContainsKey("limit"))
        {
            v.Add("query.limit", "not_supported", "the stream sends every message as it commits; limit is for GET …/poller/{sink_id} reads.");
        }

        // A replay of a long history is read in batches bounded in bytes, each written (and flushed, so a slow client
        // holds the stream back rather than Herald's memory) before the next is read.
        var read = ReadRequest.Parse(query, pageSize: null, wait: null, gate.PageByteBudget, v) with { Wait = Heartbeat };
        string? resumeFrom = context.Request.Headers["Last-Event-ID"];
        var fromHeader = !string.IsNullOrEmpty(resumeFrom);
        var position = Iterator.Parse(v, fromHeader ? resumeFrom : query.Iterator, fromHeader ? "header.Last-Event-ID" : "query.iterator")
            ?? (query.After is { } t ? await store.LogPositionAtAsync(sink.ApplicationId, t, context.RequestAborted) : 0);
        v.ThrowIfInvalid();
        if (sink.Disabled)
        {
            throw ApiException.Conflict("This polling endpoint is disabled; enable it to read from it.", "polling_endpoint_disabled");
        }

        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        // The reconnection hint and the keep-alive comments belong to no event, and the formatter writes only events.
        await response.WriteAsync("retry: 2000\n\n", context.RequestAborted);
        await response.Body.FlushAsync(context.RequestAborted);

        var aborted = context.RequestAborted;
        try
        {
            while (!aborted.IsCancellationRequested)
            {
                var (page, slot) = await PollerApi.ReadAsync(reads, signal, time, sink, read, position, aborted);
                using (slot)
                {
                    if (page.Messages.Count == 0)
                    {
                        await response.WriteAsync(": keep-alive\n\n", aborted);
                    }

                    await WriteEventsAsync(response.Body, page.Messages, aborted);
                }

                position = page.Position;
                await response.Body.FlushAsync(aborted);
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client went away; it resumes from its Last-Event-ID.
        }
    }

    /// <summary>
    /// The page's messages as events, written by the framework's formatter (<see cref="SseFormatter"/>: the id field and
    /// the data field; the JSON is kept to one line). Each event is
    /// written to the response stream on its own, which waits while the client is behind (Kestrel's response buffer is
    /// full), so a slow reader paces the stream instead of piling events up in memory.
    /// </summary>
    private static Task WriteEventsAsync(Stream body, IReadOnlyList<Messages.Message> messages, CancellationToken cancellationToken) =>
        SseFormatter.WriteAsync(
            messages.Select(m => new SseItem<PollingEndpointMessageOut>(PollingEndpointMessageOut.From(m)) { EventId = Iterator.Format(m.Sequence) })
                .ToAsyncEnumerable(),
            body,
            static (item, buffer) =>
            {
                var json = JsonSerializer.SerializeToUtf8Bytes(item.Data, HeraldJsonContext.Api.PollingEndpointMessageOut);
                // One data line per event, for readers that take only the first: payloads are stored as published, and
                // in valid JSON a raw CR or LF can only be whitespace between tokens (inside strings they are escaped),
                // so a space in its place keeps the JSON the same.
                json.AsSpan().Replace((byte)'\n', (byte)' ');
                json.AsSpan().Replace((byte)'\r', (byte)' ');
                buffer.Write(json);
            },
            cancellationToken);
}
