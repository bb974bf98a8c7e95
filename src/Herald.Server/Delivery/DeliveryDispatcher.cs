using System.Text.Json.Nodes;
using Herald.Server.Api;
using Herald.Server.Diagnostics;
using Herald.Server.Storage;
using Microsoft.Extensions.Options;

namespace Herald.Server.Delivery;

/// <summary>
/// Sends due deliveries: those handed over in memory the moment their message commits, and those a periodic
/// storage scan finds due (retries, work left by a restart or by an overflowing queue). Each attempt is
/// recorded together with the delivery's next state in one transaction; the database stays the source of truth.
/// </summary>
internal sealed partial class DeliveryDispatcher(
    IHeraldStore store,
    DeliveryQueue queue,
    DeliveryNode node,
    WebhookSender sender,
    RetrySchedule schedule,
    EndpointLimits limits,
    OperationalWebhooks operational,
    AttemptLogBatcher attemptLog,
    Ids ids,
    IOptions<DeliveryOptions> options,
    TimeProvider time,
    ILogger<DeliveryDispatcher> logger,
    Cluster.IClusterSignal cluster) : BackgroundService
{
    private static readonly TimeSpan LimitWait = TimeSpan.FromSeconds(30);

    /// <summary>Publishers start their deliveries themselves only while fewer attempts than this are held.</summary>
    private const int StartInlineBelow = 8;
    private static readonly TimeSpan ShutdownGrace = TimeSpan.FromSeconds(10);
    private readonly DeliveryOptions _options = options.Value;
    // Two limits, taken in this order: how many claimed deliveries this process holds (waiting for their endpoint
    // or sending), and how many HTTP sends run at once. A delivery waiting for a busy endpoint holds no send slot,
    // so one slow receiver cannot starve the others.
    private readonly SemaphoreSlim _held = new(HeldLimit(options.Value), HeldLimit(options.Value));
    private readonly SemaphoreSlim _sends = new(options.Value.MaxConcurrentSends, options.Value.MaxConcurrentSends);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Task, byte> _running = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await store.RecoverAfterRestartAsync(stoppingToken);
        var context = ExecutionContext.Capture(); // The dispatcher's, not a request's, for attempts started by publishers.
        queue.Attach(delivery => TryStartNow(delivery, context, stoppingToken));
        try
        {
            await Task.WhenAll(ConsumeQueueAsync(stoppingToken), ScanAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }

        // Graceful stop: let attempts in flight finish, then hand back whatever this node still holds.
        // Awaits the attempts themselves (not a polling loop), so a stop is as quick as the last attempt.
        await Task.WhenAny(Task.WhenAll(_running.Keys), Task.Delay(ShutdownGrace, time));

        await store.ReleaseLeasesAsync(node.Owner, CancellationToken.None);
    }

    private async Task ConsumeQueueAsync(CancellationToken stoppingToken)
    {
        await foreach (var delivery in queue.Reader.ReadAllAsync(stoppingToken))
        {
            await _held.WaitAsync(stoppingToken);
            Start(delivery, stoppingToken);
        }
    }

    private static int HeldLimit(DeliveryOptions options) => Math.Max(1024, options.MaxConcurrentSends * 4);

    private async Task ScanAsync(CancellationToken stoppingToken)
    {
        // Every ScanInterval, and at once when another node signals work (ScanTrigger).
        using var trigger = new ScanTrigger(_options.ScanInterval, time, cluster);
        while (await trigger.WaitAsync(stoppingToken))
        {
            try
            {
                IReadOnlyList<DeliveryTask> due;
                do
                {
                    var free = _held.CurrentCount;
                    if (free == 0)
                    {
                        break;
                    }

                    due = await store.ClaimDueDeliveriesAsync(
                        node.NewLease(), time.GetUtcNow(), Math.Min(free, 500), _options.MaxConcurrentPerEndpoint * 2, stoppingToken);
                    foreach (var delivery in due)
                    {
                        await _held.WaitAsync(stoppingToken);
                        Start(delivery, stoppingToken);
                    }
                }
                while (due.Count > 0);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogScanFailed(logger, e);
            }
        }
    }

    private bool TryStartNow(DeliveryTask delivery, ExecutionContext? context, CancellationToken stoppingToken)
    {
        // Only on a quiet dispatcher: there the hand-offs it saves are wake-ups of sleeping threads. Under load the
        // threads are awake anyway, and the publisher would only answer later (and closed-loop clients publish less).
        if (stoppingToken.IsCancellationRequested || HeldLimit(_options) - _held.CurrentCount >= StartInlineBelow || !_held.Wait(0))
        {
            return false;
        }

        if (context is null)
        {
            Start(delivery, stoppingToken, inline: true);
        }
        else
        {
            ExecutionContext.Run(context, _ => Start(delivery, stoppingToken, inline: true), null);
        }

        return true;
    }

    /// <summary>Starts an attempt on a pool thread, or <paramref name="inline"/> on this one until its first wait.</summary>
    private void Start(DeliveryTask delivery, CancellationToken stoppingToken, bool inline = false)
    {
        var attempt = inline ? RunAsync() : Task.Run(RunAsync, CancellationToken.None);
        _running.TryAdd(attempt, 0);
        attempt.ContinueWith(t => _running.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

        async Task RunAsync()
        {
            try
            {
                await AttemptAsync(delivery, stoppingToken);
            }
            finally
            {
                _held.Release();
            }
        }
    }

    private async Task AttemptAsync(DeliveryTask delivery, CancellationToken stoppingToken)
    {
        try
        {
            var work = await store.GetDeliveryWorkAsync(delivery.Id, time.GetUtcNow(), stoppingToken);
            if (work is null)
            {
                return; // The message or endpoint was deleted; the delivery went with it.
            }

            if (work.Message.Payload is not { } payload)
            {
                return; // The payload was expunged, which canceled the delivery: nothing genuine is left to send.
            }

            if (work.Endpoint.Disabled)
            {
                await store.ReleaseDeliveryAsync(delivery.Id, null, stoppingToken); // Parked until re-enabled.
                return;
            }

            using var permit = await limits.AcquireAsync(work.Endpoint, LimitWait, stoppingToken);
            if (permit is null)
            {
                await store.ReleaseDeliveryAsync(delivery.Id, time.GetUtcNow() + TimeSpan.FromSeconds(1), stoppingToken);
                return;
            }

            AttemptOutcome outcome;
            await _sends.WaitAsync(stoppingToken);
            var startedAt = time.GetUtcNow();
            try
            {
                // Not stoppingToken: a send under way finishes (bounded by its own timeout) during the graceful-stop
                // grace and is recorded, rather than being cut off and sent again after the restart.
                outcome = await sender.SendAsync(new WebhookRequest(
                    work.Endpoint.Url, work.Message.Id, payload, work.Secrets, work.Endpoint.Headers,
                    work.Endpoint.Timeout ?? _options.DefaultTimeout), CancellationToken.None);
            }
            finally
            {
                _sends.Release();
            }

            HeraldMetrics.AttemptMade(outcome.Succeeded, outcome.Duration, work.Message.CreatedAt, work.Delivery.Attempts + 1, startedAt);
            await RecordAsync(work, outcome);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: the lease is released on the way out and the delivery is tried again after the restart.
        }
        catch (Exception e)
        {
            LogAttemptFailed(logger, delivery.Id, e);
            await store.ReleaseDeliveryAsync(delivery.Id, time.GetUtcNow() + TimeSpan.FromSeconds(5), CancellationToken.None);
        }
    }

    private async Task RecordAsync(DeliveryWork work, AttemptOutcome outcome)
    {
        var now = time.Now();
        var delivery = work.Delivery;
        var attempts = delivery.Attempts + 1;
        DateTimeOffset? next = null;
        MessageStatus status;
        if (outcome.Succeeded)
        {
            status = MessageStatus.Success;
        }
        else if (delivery.Manual || outcome.Gone)
        {
            status = MessageStatus.Fail;
        }
        else
        {
            next = schedule.NextAttempt(now, attempts, outcome.RetryAfter);
            status = next is null ? MessageStatus.Fail : MessageStatus.Pending;
        }

        var attempt = new AttemptRecord
        {
            Id = ids.New(Ids.Attempt),
            ApplicationId = delivery.ApplicationId,
            DeliveryId = delivery.Id,
            MessageId = delivery.MessageId,
            EndpointId = delivery.EndpointId,
            Url = work.Endpoint.Url,
            Status = outcome.Succeeded ? MessageStatus.Success : MessageStatus.Fail,
            Trigger = delivery.Manual ? AttemptTrigger.Manual : AttemptTrigger.Scheduled,
            ResponseStatusCode = outcome.StatusCode,
            Response = outcome.Response,
            ResponseDurationMs = (long)outcome.Duration.TotalMilliseconds,
            Error = outcome.Error,
            CreatedAt = now,
        };
        var failingSince = await store.RecordAttemptAsync(attempt, new DeliveryTransition(status, next), CancellationToken.None);
        LogAttempt(logger, delivery.Id, attempts, outcome.StatusCode, outcome.Succeeded);

        if (outcome.Gone)
        {
            await DisableAsync(work, failingSince ?? now, "gone");
        }
        else if (!outcome.Succeeded && failingSince is { } since && now - since >= _options.DisableEndpointAfter)
        {
            await DisableAsync(work, since, "failing");
        }

        if (delivery.ApplicationId == OperationalWebhooks.ApplicationId)
        {
            return; // No webhooks about webhooks about webhooks.
        }

        attemptLog.Add(work, attempt, attempts);

        if (!outcome.Succeeded && attempts == _options.FailingNotificationAfter && status == MessageStatus.Pending)
        {
            await operational.PublishAsync("message.attempt.failing", AttemptEvent(work, attempt));
        }

        if (!outcome.Succeeded && status == MessageStatus.Fail && !delivery.Manual)
        {
            await operational.PublishAsync("message.attempt.exhausted", AttemptEvent(work, attempt));
        }

        if (outcome.Succeeded && attempts > _options.FailingNotificationAfter)
        {
            await operational.PublishAsync("message.attempt.recovered", AttemptEvent(work, attempt));
        }
    }

    private async Task DisableAsync(DeliveryWork work, DateTimeOffset failingSince, string reason)
    {
        if (!await store.DisableEndpointAsync(work.Endpoint.Id, time.Now(), CancellationToken.None))
        {
            return;
        }

        LogEndpointDisabled(logger, work.Endpoint.Id, reason);
        if (work.Delivery.ApplicationId != OperationalWebhooks.ApplicationId)
        {
            await operational.PublishAsync("endpoint.disabled", new JsonObject
            {
                ["appId"] = work.Delivery.ApplicationId,
                ["endpointId"] = work.Endpoint.Id,
                ["endpointUid"] = work.Endpoint.Uid,
                ["failSince"] = failingSince.ToIso(),
                ["trigger"] = "automatic",
                ["reason"] = reason,
            });
        }
    }

    private static JsonObject AttemptEvent(DeliveryWork work, AttemptRecord attempt) => new()
    {
        ["appId"] = work.Delivery.ApplicationId,
        ["msgId"] = work.Message.Id,
        ["msgEventId"] = work.Message.EventId,
        ["endpointId"] = work.Endpoint.Id,
        ["lastAttempt"] = new JsonObject
        {
            ["id"] = attempt.Id,
            ["timestamp"] = attempt.CreatedAt.ToIso(),
            ["responseStatusCode"] = attempt.ResponseStatusCode,
        },
    };

    public override void Dispose()
    {
        _held.Dispose();
        _sends.Dispose();
        base.Dispose();
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Debug, Message = "Delivery {DeliveryId} attempt {Attempt}: status {StatusCode}, success {Succeeded}")]
    private static partial void LogAttempt(ILogger logger, string deliveryId, int attempt, int statusCode, bool succeeded);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Error, Message = "Delivery {DeliveryId} could not be attempted; it is retried shortly")]
    private static partial void LogAttemptFailed(ILogger logger, string deliveryId, Exception exception);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Error, Message = "Scanning storage for due deliveries failed")]
    private static partial void LogScanFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Warning, Message = "Endpoint {EndpointId} was disabled ({Reason})")]
    private static partial void LogEndpointDisabled(ILogger logger, string endpointId, string reason);
}
