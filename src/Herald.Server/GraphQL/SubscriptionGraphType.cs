using System.Runtime.CompilerServices;
using GraphQL;
using GraphQL.Types;
using Herald.Server.Api;
using Herald.Server.Delivery;
using Herald.Server.Polling;
using Herald.Server.Storage;
using Microsoft.Extensions.Options;

namespace Herald.Server.GraphQL;

/// <summary>
/// Live subscriptions (docs/GRAPHQL.md), served over GraphQL-over-SSE and graphql-transport-ws. They learn of new
/// messages as the poller's stream does, from <see cref="MessageLogSignal"/> (this node's commits, and the other nodes'
/// through the cluster signal), and of attempts from <see cref="AttemptLogBatcher.NextRecorded"/> on this node, reading
/// storage every <see cref="GraphQLOptions.AttemptPollInterval"/> for other nodes' attempts.
/// </summary>
internal sealed class SubscriptionGraphType : ObjectGraphType
{
    public SubscriptionGraphType()
    {
        Name = "Subscription";
        Field<NonNullGraphType<MessageGraphType>>("messageCreated")
            .Description("Messages of an application as they commit, in log order. With `after` (a message's `sequence`), first every matching message after it, then live: a client that reconnects with the last sequence it saw misses nothing and sees nothing twice.")
            .Argument<NonNullGraphType<IdGraphType>>("appId", "The application (id or uid).")
            .Argument<ListGraphType<NonNullGraphType<StringGraphType>>>("eventTypes", "Only messages of these event types.")
            .Argument<StringGraphType>("channel", "Only messages published on this channel.")
            .Argument<LongGraphType>("after", "Resume after this message sequence (0: the whole retained log); without it, only messages committed from now on.")
            .ResolveStreamAsync(async c =>
            {
                var application = await c.ReachableApplicationAsync(c.GetArgument<string>("appId")) ?? throw GraphQLErrors.NotFound("Application");
                var v = new Validator();
                var filter = c.MessageFilter(v);
                var after = c.GetArgument<long?>("after");
                if (after < 0)
                {
                    v.Add("after", "invalid", "after is a message sequence, 0 or more.");
                }

                v.ThrowIfInvalid();
                var services = c.RequestServices!;
                var streams = services.GetRequiredService<SubscriptionStreams>();
                var start = after ?? await services.GetRequiredService<IPollingStore>().LogPositionAtAsync(application.Id, streams.Now, c.CancellationToken);
                var logFilter = new LogFilter(filter.EventTypes is { Count: > 0 } types ? types : null, null, null, filter.Channel);
                return new AsyncEnumerableObservable<object?>(ct => streams.MessagesAsync(application.Id, start, logFilter, ct));
            });

        Field<NonNullGraphType<AttemptGraphType>>("attemptCompleted")
            .Description("Attempts of an application as they are recorded (success or failure), optionally of one endpoint; from now on, not resumable.")
            .Argument<NonNullGraphType<IdGraphType>>("appId", "The application (id or uid).")
            .Argument<IdGraphType>("endpointId", "Only attempts to this endpoint (id or uid).")
            .ResolveStreamAsync(async c =>
            {
                var application = await c.ReachableApplicationAsync(c.GetArgument<string>("appId")) ?? throw GraphQLErrors.NotFound("Application");
                string? endpointId = null;
                if (c.GetArgument<string?>("endpointId") is { } wanted)
                {
                    endpointId = (await c.Store().GetEndpointAsync(application.Id, wanted, c.CancellationToken) ?? throw GraphQLErrors.NotFound("Endpoint")).Id;
                }

                var streams = c.RequestServices!.GetRequiredService<SubscriptionStreams>();
                return new AsyncEnumerableObservable<object?>(ct => streams.AttemptsAsync(application.Id, endpointId, ct));
            });
    }
}

/// <summary>The event sources behind the subscriptions: storage reads, woken by the existing signals.</summary>
internal sealed class SubscriptionStreams(
    IPollingStore store, IAttemptStore attemptLog, MessageLogSignal messages, AttemptLogBatcher attempts, ContentGate gate, TimeProvider time, IOptions<GraphQLOptions> options)
{
    /// <summary>How far back attempts are read again, so one committed late (another node, a slow transaction) is not missed.</summary>
    public static readonly TimeSpan AttemptLookback = TimeSpan.FromSeconds(10);

    private const int PageSize = 100;

    public DateTimeOffset Now => time.GetUtcNow();

    /// <summary>Matching messages with a sequence above <paramref name="position"/>, then each new one as it commits.</summary>
    public async IAsyncEnumerable<object?> MessagesAsync(string applicationId, long position, LogFilter filter, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (true)
        {
            // Taken before reading: a commit between the read and the wait still wakes us.
            var next = messages.NextCommit(applicationId);
            var page = await store.ReadLogAsync(applicationId, position, filter, PageSize, gate.PageByteBudget, cancellationToken);
            foreach (var message in page.Messages)
            {
                yield return message;
            }

            position = page.Position;
            if (page.Done)
            {
                // A missed signal costs at most one heartbeat: the log is read again then.
                await WaitAsync(next, PollerStream.Heartbeat, cancellationToken);
            }
        }
    }

    /// <summary>Attempts recorded from now on, in the order they are found.</summary>
    public async IAsyncEnumerable<object?> AttemptsAsync(string applicationId, string? endpointId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Attempts already recorded are seen (not sent); from then on, what is read past the high-water mark minus the
        // lookback and not seen yet is new.
        var seen = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        var mark = time.GetUtcNow();
        var first = true;
        var interval = options.Value.AttemptPollInterval;
        while (true)
        {
            var next = attempts.NextRecorded(applicationId);
            var since = mark - AttemptLookback;
            var filter = new AttemptFilter(EndpointId: endpointId, After: since);
            string? cursor = null;
            var found = new List<AttemptRecord>();
            do
            {
                var page = await attemptLog.ListAttemptsAsync(applicationId, filter, new PageRequest(PageSize, cursor, Backward: false, Descending: false) { MaxBytes = gate.PageByteBudget }, cancellationToken);
                foreach (var attempt in page.Items)
                {
                    if (seen.TryAdd(attempt.Id, attempt.CreatedAt))
                    {
                        found.Add(attempt);
                    }
                }

                cursor = page.HasMore && page.Items.Count > 0 ? page.Items[^1].Id : null;
            }
            while (cursor is not null);

            foreach (var attempt in found)
            {
                mark = attempt.CreatedAt > mark ? attempt.CreatedAt : mark;
                if (!first)
                {
                    yield return attempt;
                }
            }

            first = false;
            foreach (var old in seen.Where(s => s.Value < mark - AttemptLookback).Select(s => s.Key).ToList())
            {
                seen.Remove(old);
            }

            await WaitAsync(next, interval, cancellationToken);
        }
    }

    private async Task WaitAsync(Task signal, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        await Task.WhenAny(signal, Task.Delay(timeout, time, cancel.Token));
        await cancel.CancelAsync();
        cancellationToken.ThrowIfCancellationRequested();
    }
}

/// <summary>
/// An <see cref="IObservable{T}"/> over an async sequence, as graphql-dotnet's subscriptions want: each subscriber runs
/// the sequence on its own; disposing the subscription cancels it.
/// </summary>
internal sealed class AsyncEnumerableObservable<T>(Func<CancellationToken, IAsyncEnumerable<T>> source) : IObservable<T>
{
    public IDisposable Subscribe(IObserver<T> observer)
    {
        var cancel = new CancellationTokenSource();
        _ = RunAsync(observer, cancel.Token);
        return new Subscription(cancel);
    }

    private async Task RunAsync(IObserver<T> observer, CancellationToken cancellationToken)
    {
        await Task.Yield();
        try
        {
            await foreach (var item in source(cancellationToken).WithCancellation(cancellationToken))
            {
                observer.OnNext(item);
            }

            observer.OnCompleted();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Unsubscribed.
        }
        catch (Exception e)
        {
            observer.OnError(e);
        }
    }

    private sealed class Subscription(CancellationTokenSource cancel) : IDisposable
    {
        public void Dispose()
        {
            try
            {
                cancel.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }
}
