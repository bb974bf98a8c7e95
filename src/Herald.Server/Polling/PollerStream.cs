using System.Text;
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
        CurrentApplication app, string sink_id, [AsParameters] StreamQuery query, HttpContext context, IHeraldStore store, MessageLogSignal signal, TimeProvider time)
    {
        var sink = await app.FindPollingEndpointAsync(store, sink_id, context.RequestAborted);
        var v = new Validator();
        // Every message is sent as it commits, so a page size would change nothing a client sees: refused, not ignored.
        if (context.Request.Query.ContainsKey("limit"))
        {
            v.Add("query.limit", "not_supported", "the stream sends every message as it commits; limit is for GET …/poller/{sink_id} reads.");
        }

        var read = ReadRequest.Parse(query, pageSize: null, wait: null, v) with { Wait = Heartbeat };
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
        await response.WriteAsync("retry: 2000\n\n", context.RequestAborted);
        await response.Body.FlushAsync(context.RequestAborted);

        var aborted = context.RequestAborted;
        try
        {
            while (!aborted.IsCancellationRequested)
            {
                var page = await PollerApi.ReadAsync(store, signal, time, sink, read, position, aborted);
                if (page.Messages.Count == 0)
                {
                    await response.WriteAsync(": keep-alive\n\n", aborted);
                }

                foreach (var message in page.Messages)
                {
                    var json = JsonSerializer.Serialize(PollingEndpointMessageOut.From(message), HeraldJsonContext.Api.PollingEndpointMessageOut);
                    await response.WriteAsync($"id: {Iterator.Format(message.Sequence)}\ndata: {json}\n\n", Encoding.UTF8, aborted);
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
}
