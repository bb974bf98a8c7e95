using System.Text.Json.Nodes;
using System.Threading.Channels;
using Herald.Server.Diagnostics;
using Microsoft.Extensions.Options;

namespace Herald.Server.Delivery;

/// <summary>
/// The <c>message.attempt.log</c> operational webhook (Svix's MessageAttemptLogEvent): metadata about every attempt the
/// dispatcher records, sent in batches every <see cref="AttemptLogOptions.AttemptLogInterval"/>, or as soon as
/// <see cref="AttemptLogOptions.AttemptLogBatchSize"/> attempts wait. Svix sends it only where its <c>attempt_log</c>
/// feature flag is on; Herald sends it only to the operational endpoints that name it in their event types (not to
/// those that take every type), so turning it on is subscribing to it. Nothing is buffered while no endpoint does: who
/// subscribes is read again at every interval. What is buffered at shutdown is published then (stored, so it is sent
/// once a node runs again). Attempts of the operational webhooks themselves are not logged.
/// </summary>
internal sealed partial class AttemptLogBatcher : BackgroundService
{
    public const string EventType = "message.attempt.log";

    /// <summary>Svix's MessageAttemptLog.orgId: Herald is one organisation (environment), always named so.</summary>
    public const string OrganizationId = "org_herald";

    private readonly OperationalWebhooks _operational;
    private readonly Storage.IApplicationStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger<AttemptLogBatcher> _logger;
    private readonly AttemptLogOptions _options;

    // Bounded: attempts can be recorded faster than batches are published, and the log is an account of deliveries,
    // never a reason to slow them: past ten batches, new entries are dropped (and counted).
    private readonly Channel<AttemptLogEntry> _buffer;

    // Wakes the loop when a full batch waits; one pending signal is enough.
    private readonly Channel<bool> _full = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    private volatile IReadOnlyList<string> _subscribers = [];

    // Wakes whoever waits for the next attempt of an application (GraphQL subscriptions), per application.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, TaskCompletionSource> _recorded = new(StringComparer.Ordinal);

    public AttemptLogBatcher(
        OperationalWebhooks operational, Storage.IApplicationStore store, TimeProvider time, IOptions<AttemptLogOptions> options, ILogger<AttemptLogBatcher> logger)
    {
        _operational = operational;
        _store = store;
        _time = time;
        _logger = logger;
        _options = options.Value;
        _buffer = Channel.CreateBounded<AttemptLogEntry>(
            new BoundedChannelOptions(_options.AttemptLogBatchSize * 10) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true },
            _ => HeraldMetrics.AttemptLogEntryDropped());
    }

    /// <summary>True while at least one enabled operational endpoint subscribes (as last read).</summary>
    public bool HasSubscribers => _subscribers.Count > 0;

    /// <summary>Attempts waiting for their batch.</summary>
    public int Buffered => _buffer.Reader.Count;

    /// <summary>A task that completes when this node next records an attempt of the application (GraphQL's attemptCompleted).</summary>
    public Task NextRecorded(string applicationId) =>
        _recorded.GetOrAdd(applicationId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    /// <summary>Takes note of an attempt just recorded (cheap, never blocks; nothing when nobody subscribes).</summary>
    public void Add(DeliveryWork work, AttemptRecord attempt, int attemptCount)
    {
        if (_recorded.TryRemove(work.Delivery.ApplicationId, out var waiter))
        {
            waiter.TrySetResult();
        }

        if (_subscribers.Count == 0 || work.Delivery.ApplicationId == OperationalWebhooks.ApplicationId)
        {
            return;
        }

        // The attempt is recorded when its answer is in, and its duration is the HTTP exchange's.
        var message = work.Message;
        var entry = new AttemptLogEntry(
            message.ApplicationId, work.Endpoint.Id, message.Id, message.EventId, message.EventType, message.CreatedAt, attempt.Id,
            attempt.CreatedAt - TimeSpan.FromMilliseconds(attempt.ResponseDurationMs), attempt.CreatedAt, attempt.ResponseStatusCode, attemptCount, attempt.Status);
        if (_buffer.Writer.TryWrite(entry) && _buffer.Reader.Count >= _options.AttemptLogBatchSize)
        {
            _full.Writer.TryWrite(true);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.AttemptLogInterval, _time);
        await RefreshSubscribersAsync(stoppingToken);
        Task<bool>? tick = null;
        Task<bool>? full = null;
        try
        {
            while (true)
            {
                // Each wait is kept until it completes, so waiting again does not pile up waiters.
                tick ??= timer.WaitForNextTickAsync(stoppingToken).AsTask();
                full ??= _full.Reader.WaitToReadAsync(stoppingToken).AsTask();
                var done = await Task.WhenAny(tick, full);
                if (done == tick)
                {
                    tick = null;
                    if (!await done)
                    {
                        return;
                    }

                    await FlushAsync(everything: true);
                    await RefreshSubscribersAsync(stoppingToken);
                }
                else
                {
                    full = null;
                    await done;
                    _full.Reader.TryRead(out _);
                    await FlushAsync(everything: false);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: StopAsync publishes what is left.
        }
    }

    /// <summary>Stops the loop, then publishes whatever is still buffered (registered before the dispatcher, so it stops after it).</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await FlushAsync(everything: true);
    }

    private async Task RefreshSubscribersAsync(CancellationToken cancellationToken)
    {
        try
        {
            _subscribers = await _operational.SubscribersAsync(EventType, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogSubscribersFailed(_logger, e);
        }
    }

    /// <summary>Publishes full batches, and with <paramref name="everything"/> the last partial one too.</summary>
    private async Task FlushAsync(bool everything)
    {
        while (everything ? _buffer.Reader.Count > 0 : _buffer.Reader.Count >= _options.AttemptLogBatchSize)
        {
            var batch = new List<AttemptLogEntry>(Math.Min(_buffer.Reader.Count, _options.AttemptLogBatchSize));
            while (batch.Count < _options.AttemptLogBatchSize && _buffer.Reader.TryRead(out var entry))
            {
                batch.Add(entry);
            }

            if (batch.Count == 0 || _subscribers is not { Count: > 0 } subscribers)
            {
                continue; // Nobody subscribes any more: the batch is dropped.
            }

            try
            {
                await _operational.PublishToAsync(subscribers, EventType, await ToJsonAsync(batch));
                LogBatchPublished(_logger, batch.Count, subscribers.Count);
            }
            catch (Exception e)
            {
                LogBatchFailed(_logger, batch.Count, e);
            }
        }
    }

    /// <summary>Svix's MessageAttemptLog, one per attempt; appUid is read once per application of the batch.</summary>
    private async Task<JsonArray> ToJsonAsync(List<AttemptLogEntry> batch)
    {
        var uids = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var appId in batch.Select(e => e.AppId).Distinct(StringComparer.Ordinal))
        {
            uids[appId] = (await _store.GetApplicationAsync(appId, CancellationToken.None))?.Uid;
        }

        var entries = new JsonArray();
        foreach (var e in batch)
        {
            entries.Add(new JsonObject
            {
                ["orgId"] = OrganizationId,
                ["appId"] = e.AppId,
                ["appUid"] = uids.GetValueOrDefault(e.AppId),
                ["endpointId"] = e.EndpointId,
                ["msgId"] = e.MsgId,
                ["msgEventId"] = e.MsgEventId,
                ["msgCreated"] = e.MsgCreated.ToIso(),
                ["attemptStart"] = e.Start.ToIso(),
                ["attemptEnd"] = e.End.ToIso(),
                ["attemptId"] = e.AttemptId,
                ["responseStatusCode"] = e.ResponseStatusCode,
                ["attemptCount"] = e.AttemptCount,
                ["status"] = (int)e.Status,
                ["eventType"] = e.EventType,
                ["httpTimes"] = new JsonObject { ["start"] = e.Start.ToIso(), ["end"] = e.End.ToIso() },
            });
        }

        return entries;
    }

    /// <summary>What the log keeps of one attempt until its batch is sent (no payload, no response body).</summary>
    private sealed record AttemptLogEntry(
        string AppId, string EndpointId, string MsgId, string? MsgEventId, string EventType, DateTimeOffset MsgCreated, string AttemptId,
        DateTimeOffset Start, DateTimeOffset End, int ResponseStatusCode, int AttemptCount, MessageStatus Status);

    [LoggerMessage(EventId = EventIds.AttemptLogBatchPublished, Level = LogLevel.Debug, Message = "message.attempt.log: published {Attempts} attempts to {Endpoints} operational endpoint(s)")]
    private static partial void LogBatchPublished(ILogger logger, int attempts, int endpoints);

    [LoggerMessage(EventId = EventIds.AttemptLogBatchFailed, Level = LogLevel.Error, Message = "message.attempt.log: a batch of {Attempts} attempts could not be published")]
    private static partial void LogBatchFailed(ILogger logger, int attempts, Exception exception);

    [LoggerMessage(EventId = EventIds.AttemptLogSubscribersFailed, Level = LogLevel.Warning, Message = "message.attempt.log: reading who subscribes failed; tried again at the next interval")]
    private static partial void LogSubscribersFailed(ILogger logger, Exception exception);
}

internal static class AttemptLogExtensions
{
    /// <summary>The <c>message.attempt.log</c> batcher; registered before the dispatcher so that it stops after it and publishes its last attempts.</summary>
    public static IServiceCollection AddAttemptLog(this IServiceCollection services)
    {
        services.AddOptions<AttemptLogOptions>().BindConfiguration(DeliveryOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => o.AttemptLogInterval >= TimeSpan.FromSeconds(1) && o.AttemptLogInterval <= TimeSpan.FromHours(1),
                "Herald:Delivery:AttemptLogInterval must be from 1 second to 1 hour.")
            .ValidateOnStart();
        services.AddSingleton<AttemptLogBatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<AttemptLogBatcher>());
        return services;
    }
}
