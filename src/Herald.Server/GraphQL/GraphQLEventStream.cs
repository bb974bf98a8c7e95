using System.Net.ServerSentEvents;
using System.Threading.Channels;
using GraphQL;
using GraphQL.Transport;
using Herald.Server.Diagnostics;

namespace Herald.Server.GraphQL;

/// <summary>
/// GraphQL over Server-Sent Events (the graphql-sse protocol, "distinct connections mode"): <c>POST /graphql</c> with
/// <c>Accept: text/event-stream</c> runs one operation and answers with a stream: an <c>event: next</c> per result (one for
/// a query or mutation, one per event for a subscription), then <c>event: complete</c>. A request that is not a
/// GraphQL request is a 4xx in JSON before the stream starts; errors of the operation come as a <c>next</c> event.
/// </summary>
internal sealed partial class GraphQLHttpEndpoint
{
    public const string EventStream = "text/event-stream";

    private static bool AcceptsEventStream(HttpRequest request) =>
        request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals(EventStream, StringComparison.OrdinalIgnoreCase) && a.Quality is not 0);

    private async Task HandleEventStreamAsync(HttpContext context, GraphQLOptions limits)
    {
        if (context.Request.ContentLength > limits.MaxRequestBytes
            || await ReadLimitedAsync(context.Request.Body, limits.MaxRequestBytes, context.RequestAborted) is not { } body)
        {
            await WriteTooLargeAsync(context, Json, limits);
            return;
        }

        GraphQLRequest? request;
        try
        {
            request = serializer.Deserialize<GraphQLRequest>(body);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or FormatException or InvalidOperationException or NotSupportedException)
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, Json, "INVALID_JSON", "The body is not a GraphQL request in JSON: " + e.Message);
            return;
        }

        if (request is null || string.IsNullOrWhiteSpace(request.Query))
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, Json, "INVALID_REQUEST", "The request needs a `query` string.");
            return;
        }

        using var slot = connections.TryEnter();
        if (slot is null)
        {
            GraphQLTransportLog.ConnectionRefused(logger, "sse", limits.MaxConnections);
            await WriteErrorAsync(context, StatusCodes.Status429TooManyRequests, Json, "TOO_MANY_CONNECTIONS",
                $"This node holds its most subscription connections ({limits.MaxConnections}); try again later.");
            return;
        }

        var aborted = context.RequestAborted;
        var result = await ExecuteAsync(context, request, document: null);
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = EventStream + "; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        await response.Body.FlushAsync(aborted);
        try
        {
            // Events go through the framework's formatter (System.Net.ServerSentEvents), one write each; a keep-alive is a
            // comment, which belongs to no event, so it is written as it is.
            await foreach (var next in ResultStream.ReadAsync(result, limits.KeepAliveInterval, context.RequestServices.GetRequiredService<TimeProvider>(), aborted))
            {
                if (next is null)
                {
                    await response.WriteAsync(": keep-alive\n\n", aborted);
                    await response.Body.FlushAsync(aborted);
                }
                else
                {
                    await WriteEventAsync(response.Body, new SseItem<string>(serializer.Serialize(next), "next"), aborted);
                }
            }

            await WriteEventAsync(response.Body, new SseItem<string>("", "complete"), aborted);
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client went away (it unsubscribes by closing the connection).
        }
    }

    private static async Task WriteEventAsync(Stream body, SseItem<string> item, CancellationToken cancellationToken)
    {
        await SseFormatter.WriteAsync(new[] { item }.ToAsyncEnumerable(), body, cancellationToken);
        await body.FlushAsync(cancellationToken);
    }
}

/// <summary>Counts the subscription connections (SSE streams and WebSockets) of this node against <see cref="GraphQLOptions.MaxConnections"/>.</summary>
internal sealed class SubscriptionConnections(Microsoft.Extensions.Options.IOptions<GraphQLOptions> options)
{
    private int _open;

    public int Open => Volatile.Read(ref _open);

    /// <summary>A slot to dispose when the connection ends, or null when every slot is taken.</summary>
    public IDisposable? TryEnter()
    {
        if (Interlocked.Increment(ref _open) > options.Value.MaxConnections)
        {
            Interlocked.Decrement(ref _open);
            return null;
        }

        return new Slot(this);
    }

    private sealed class Slot(SubscriptionConnections owner) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                Interlocked.Decrement(ref owner._open);
            }
        }
    }
}

/// <summary>The results of one operation as a sequence: one for a query or mutation, one per event for a subscription.</summary>
internal static class ResultStream
{
    /// <summary>Results a subscriber may fall behind by before its subscription is ended with an error.</summary>
    public const int MaxPending = 1000;

    /// <summary>
    /// The results of <paramref name="result"/>, with a null every <paramref name="keepAlive"/> of silence (for the transport's
    /// keep-alive). Ends when the stream completes, or with an error result when it fails or the reader falls too far behind.
    /// </summary>
    public static async IAsyncEnumerable<ExecutionResult?> ReadAsync(
        ExecutionResult result, TimeSpan keepAlive, TimeProvider time, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (result.Streams is not { Count: > 0 } streams)
        {
            yield return result;
            yield break;
        }

        var channel = Channel.CreateBounded<ExecutionResult>(new BoundedChannelOptions(MaxPending) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        using var subscription = streams.Values.First().Subscribe(new ChannelObserver(channel.Writer));
        while (true)
        {
            using var quiet = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            quiet.CancelAfter(keepAlive);
            bool more;
            try
            {
                more = await channel.Reader.WaitToReadAsync(quiet.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                more = true;
            }

            if (!more)
            {
                if (channel.Reader.Completion.IsFaulted)
                {
                    yield return new ExecutionResult
                    {
                        Errors = [new ExecutionError(channel.Reader.Completion.Exception?.InnerException is FellBehindException
                            ? "The subscription ended: its client fell too far behind."
                            : "The subscription failed.") { Code = "SUBSCRIPTION_ENDED" }],
                    };
                }

                yield break;
            }

            if (!channel.Reader.TryRead(out var next))
            {
                yield return null;
                continue;
            }

            yield return next;
        }
    }

    private sealed class FellBehindException : Exception;

    private sealed class ChannelObserver(ChannelWriter<ExecutionResult> writer) : IObserver<ExecutionResult>
    {
        public void OnCompleted() => writer.TryComplete();

        public void OnError(Exception error) => writer.TryComplete(error);

        public void OnNext(ExecutionResult value)
        {
            if (!writer.TryWrite(value))
            {
                writer.TryComplete(new FellBehindException());
            }
        }
    }
}

internal static partial class GraphQLTransportLog
{
    [LoggerMessage(EventId = EventIds.GraphQLConnectionRefused, Level = LogLevel.Warning, Message = "GraphQL subscription connection ({Transport}) refused: {Max} are open already")]
    public static partial void ConnectionRefused(ILogger logger, string transport, int max);

    [LoggerMessage(EventId = EventIds.GraphQLWebSocketFailed, Level = LogLevel.Warning, Message = "GraphQL WebSocket connection failed")]
    public static partial void WebSocketFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = EventIds.GraphQLSubscriptionFailed, Level = LogLevel.Error, Message = "GraphQL subscription stream failed")]
    public static partial void SubscriptionFailed(ILogger logger, Exception exception);
}
