using System.Text.Json.Nodes;
using Herald.Server.Cluster;
using Herald.Server.Diagnostics;
using Herald.Server.Storage;
using Microsoft.Extensions.Options;

namespace Herald.Server.Delivery;

/// <summary>
/// Sends due deliveries: those handed over in memory the moment their message commits, and those a periodic
/// storage scan finds due (retries, work left by a restart or by an overflowing queue); a retry this node scheduled
/// wakes the scan at its due time (<see cref="RetryWakeups"/>). Each attempt is recorded together with the delivery's
/// next state in one transaction, retried while storage fails (<see cref="BookkeepingRetry"/>); the database stays
/// the source of truth. A graceful stop drains before the web server stops listening (DeliveryDispatcher.Drain.cs).
/// </summary>
internal sealed partial class DeliveryDispatcher(
    IDeliveryStore store,
    IAttemptStore attemptStore,
    IVerificationStore verifications,
    DeliveryQueue queue,
    DeliveryNode node,
    WebhookSender sender,
    EndpointLimits limits,
    OperationalWebhookPump operational,
    BookkeepingRetry bookkeeping,
    AttemptLogBatcher attemptLog,
    Ids ids,
    IOptions<DeliveryOptions> options,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    ILogger<DeliveryDispatcher> logger,
    Cluster.IClusterSignal cluster,
    AttemptNotes notes,
    FifoLine fifo,
    DeliveryOutcomePolicy policy) : BackgroundService, IHostedLifecycleService
{
    private static readonly TimeSpan LimitWait = TimeSpan.FromSeconds(30);

    /// <summary>Publishers start their deliveries themselves only while fewer attempts than this are held…</summary>
    private const int StartInlineBelow = 8;

    /// <summary>… or fewer than this by their application (a light application beside a busy one).</summary>
    private const int StartInlineBelowPerApp = 2;

    /// <summary>The most due deliveries one claim takes from storage (a scan claims again while it finds any).</summary>
    private const int MaxClaimBatch = 500;

    /// <summary>A claim takes at most this many deliveries per endpoint per concurrent send the endpoint may have.</summary>
    private const int ClaimPerEndpointSend = 2;

    /// <summary>This process holds at least this many claimed deliveries…</summary>
    private const int MinHeld = 1024;

    /// <summary>… or this many per concurrent send, whichever is more (<see cref="HeldLimit"/>).</summary>
    private const int HeldPerSend = 4;

    private readonly DeliveryOptions _options = options.Value;
    // Two limits, taken in this order: how many claimed deliveries this process holds (waiting for their endpoint,
    // sending, or waiting for storage to record their outcome), and how many HTTP sends run at once. A delivery waiting
    // for a busy endpoint holds no send slot, so one slow receiver cannot starve the others; outcomes held during a
    // storage outage keep their slot, so a long outage stops the claiming of new work instead of piling it up. Both are
    // shared fairly between applications and their endpoints (FairShares), so no application's backlog or hanging
    // endpoints stand in front of another application's deliveries.
    private readonly DeliveryHolds _holds = new(HeldLimit(options.Value), time);
    private readonly SendSlots _sends = new(options.Value.MaxConcurrentSends, time);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Task, byte> _running = new();
    private readonly ScanTrigger _trigger = new(options.Value.ScanInterval, time, cluster);
    private readonly ClaimRoom _room = new(limits, ClaimPerEndpointSend);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var stopping = stoppingToken.Register(() => _intake.Cancel()); // In case no StoppingAsync came first.
        var intake = _intake.Token;
        await store.RecoverAfterRestartAsync(stoppingToken);
        var context = ExecutionContext.Capture(); // The dispatcher's, not a request's, for attempts started by publishers.
        queue.Attach(delivery => TryStartNow(delivery, context, intake), _room.HasRoom);
        try
        {
            await Task.WhenAll(ConsumeQueueAsync(intake), ScanAsync(intake));
        }
        catch (OperationCanceledException) when (intake.IsCancellationRequested)
        {
            // Draining (see DrainAsync): no new work is taken.
        }
    }

    private async Task ConsumeQueueAsync(CancellationToken intake)
    {
        await foreach (var delivery in queue.Reader.ReadAllAsync(intake))
        {
            Admit(delivery, intake);
        }
    }

    /// <summary>Starts a claimed delivery, parks it until its application's turn, or hands it back when parking is full.</summary>
    private void Admit(DeliveryTask delivery, CancellationToken intake)
    {
        _room.Hold(delivery.EndpointId); // Before a parked delivery can be started and released.
        switch (_holds.HoldOrPark(delivery))
        {
            case true:
                Start(delivery, intake);
                break;
            case null:
                LeftMemory(delivery);
                var now = time.GetUtcNow();
                Track(HandBackAsync(delivery.Id, DeliveryOutcomePolicy.AfterBusy(now), now + _options.LeaseDuration));
                break;
        }
    }

    /// <summary>A delivery this node held or parked is no longer in memory: its endpoint has room for another claim.</summary>
    private void LeftMemory(DeliveryTask delivery)
    {
        if (_room.Release(delivery.EndpointId))
        {
            _trigger.Wake(); // A claim filled the endpoint: its backlog may be waiting in storage.
        }
    }

    /// <summary>Lets go of a delivery's hold and starts the parked deliveries whose turn that makes it.</summary>
    private void ReleaseHold(DeliveryTask delivery, CancellationToken intake)
    {
        var granted = _holds.Release(delivery);
        LeftMemory(delivery);
        for (var i = 0; granted is not null && i < granted.Count; i++)
        {
            var parked = granted[i];
            if (intake.IsCancellationRequested)
            {
                // Draining: nothing new starts (the drain hands every leased delivery back).
                if (_holds.Release(parked.Delivery) is { } more)
                {
                    granted.AddRange(more);
                }

                LeftMemory(parked.Delivery);

                continue;
            }

            Start(parked.Delivery, intake, parkedSince: parked.Since);
        }
    }

    private static int HeldLimit(DeliveryOptions options) => Math.Max(MinHeld, options.MaxConcurrentSends * HeldPerSend);

    private async Task ScanAsync(CancellationToken intake)
    {
        // Every ScanInterval, at once when another node signals work, and when a retry of this node comes due.
        while (await _trigger.WaitAsync(intake))
        {
            try
            {
                IReadOnlyList<DeliveryTask> due;
                do
                {
                    var free = _holds.Room;
                    if (free <= 0)
                    {
                        break;
                    }

                    // Per endpoint no more than it can take on this node (ClaimRoom): what it cannot start in time
                    // would be handed back unsent, and claimed again, each a write of the delivery's row.
                    var rooms = _room.Rooms();
                    due = await store.ClaimDueDeliveriesAsync(
                        node.NewLease(), time.GetUtcNow(), Math.Min(free, MaxClaimBatch), _options.MaxConcurrentPerEndpoint * ClaimPerEndpointSend,
                        rooms, intake);
                    bookkeeping.Answered(); // Storage answers: outcomes held during an outage are written now.
                    foreach (var delivery in due)
                    {
                        Admit(delivery, intake);
                    }

                    _room.Claimed(rooms, due);
                }
                while (due.Count > 0);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                if (StorageFailure.Classify(e) is null)
                {
                    LogScanFailed(logger, e); // A bug, not an outage: every time.
                }
                else
                {
                    _ = bookkeeping.Failed(e); // Logged once per outage, not once a second.
                }
            }
        }
    }

    private bool TryStartNow(DeliveryTask delivery, ExecutionContext? context, CancellationToken intake)
    {
        // On a quiet dispatcher: there the hand-offs it saves are wake-ups of sleeping threads. Under load the threads
        // are awake anyway, and the publisher would only answer later (and closed-loop clients publish less). But for
        // an application with (nearly) nothing in flight, also on a busy dispatcher: each hand-off it saves is a turn
        // at the back of the thread pool's queue, behind whatever burst the busy applications just caused (e.g. 240
        // timeouts at once and the sends that replace them: the noisy-neighbour tail, BENCHMARKS.md).
        if (intake.IsCancellationRequested || !_holds.TryHold(delivery, busyBelow: StartInlineBelow, appBusyBelow: StartInlineBelowPerApp))
        {
            return false;
        }

        _room.Hold(delivery.EndpointId);

        if (context is null)
        {
            Start(delivery, intake, inline: true);
        }
        else
        {
            ExecutionContext.Run(context, _ => Start(delivery, intake, inline: true), null);
        }

        return true;
    }

    /// <summary>
    /// Starts an attempt of a held delivery on a pool thread, or <paramref name="inline"/> on this one until its first
    /// wait. One parked for longer than <see cref="LimitWait"/> is handed back instead: its lease dates from its claim.
    /// </summary>
    private void Start(DeliveryTask delivery, CancellationToken intake, bool inline = false, long? parkedSince = null)
    {
        Track(inline ? RunAsync() : Task.Run(RunAsync, CancellationToken.None));

        async Task RunAsync()
        {
            try
            {
                if (parkedSince is { } since && time.GetElapsedTime(since) > LimitWait)
                {
                    var now = time.GetUtcNow();
                    await HandBackAsync(delivery.Id, now, now + _options.LeaseDuration);
                }
                else
                {
                    await AttemptAsync(delivery, intake);
                }
            }
            finally
            {
                ReleaseHold(delivery, intake);
            }
        }
    }

    /// <summary>Work the drain waits for.</summary>
    private void Track(Task work)
    {
        _running.TryAdd(work, 0);
        work.ContinueWith(t => _running.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    // intake is canceled when draining: an attempt not yet sending leaves its delivery to the drain's hand-back.
    private async Task AttemptAsync(DeliveryTask delivery, CancellationToken intake)
    {
        // Past the lease this node holds the delivery under, another node may have claimed it: bookkeeping gives up then.
        var leaseEnds = time.GetUtcNow() + _options.LeaseDuration;
        try
        {
            DeliveryWork? work;
            try
            {
                work = await store.GetDeliveryWorkAsync(delivery, time.GetUtcNow(), intake);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _ = bookkeeping.Failed(e); // Nothing was sent: hand the delivery back, due at once, when storage answers.
                await HandBackAsync(delivery.Id, time.GetUtcNow(), leaseEnds);
                return;
            }

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
                await HandBackAsync(delivery.Id, due: null, leaseEnds); // Parked until re-enabled.
                return;
            }

            if (work.Endpoint.Verification is { HoldsDeliveries: true })
            {
                await verifications.HoldForVerificationAsync(delivery.Id, time.GetUtcNow(), CancellationToken.None); // Until verified: Endpoints/EndpointVerifier.cs.
                return;
            }

            if (!await fifo.MayAttemptAsync(work, intake))
            {
                await HandBackAsync(delivery.Id, time.GetUtcNow(), leaseEnds); // Behind the head of its FIFO line: the scan takes it in turn.
                return;
            }

            using var permit = await limits.AcquireAsync(work.Endpoint, LimitWait, intake);
            if (permit is null)
            {
                await HandBackAsync(delivery.Id, DeliveryOutcomePolicy.AfterBusy(time.GetUtcNow()), leaseEnds);
                return;
            }

            AttemptOutcome? outcome = null;
            if (!await _sends.AcquireAsync(delivery.ApplicationId, delivery.EndpointId, LimitWait, intake))
            {
                await HandBackAsync(delivery.Id, DeliveryOutcomePolicy.AfterBusy(time.GetUtcNow()), leaseEnds);
                return;
            }

            var timeout = work.Endpoint.Timeout ?? _options.DefaultTimeout;
            if (permit.EndpointTimingOut)
            {
                // Its sends would otherwise all start, hang and time out at once, every timeout period: a burst that
                // holds up every other application's deliveries (AdaptiveConcurrency.StartSpread). After the send
                // slot, not before: deliveries queued for slots would start together again when a burst frees them.
                try
                {
                    await Task.Delay(AdaptiveConcurrency.StartSpread(timeout, Random.Shared.NextDouble()), time, intake);
                }
                catch (OperationCanceledException)
                {
                    _sends.Release(delivery.ApplicationId, delivery.EndpointId); // Draining: nothing was sent.
                    throw;
                }
            }

            var startedAt = time.GetUtcNow();
            permit.Sending();
            using var activity = HeraldTracing.StartAttempt(
                work.Message.TraceParent, delivery.ApplicationId, work.Message.Id, delivery.EndpointId, delivery.Id, work.Delivery.Attempts + 1);
            try
            {
                // Not the intake token: a send under way finishes (bounded by its own timeout) during the drain and is
                // recorded, rather than being cut off and sent again after the restart; only a send still running when
                // the drain's grace ends is abandoned.
                var webhook = new WebhookRequest(
                    work.Endpoint.Url, work.Message.Id, payload, work.Secrets, work.Endpoint.Headers, timeout)
                {
                    Transformation = work.Endpoint.Transformation,
                    EventType = work.Message.EventType,
                };
                outcome = await sender.SendAsync(webhook, _abandon.Token);
            }
            finally
            {
                _sends.Release(delivery.ApplicationId, delivery.EndpointId);
            }

            permit.Observe(outcome, timeout); // The endpoint's concurrency limit learns from it (AdaptiveConcurrency).

            HeraldTracing.AttemptEnded(activity, outcome.Succeeded, outcome.StatusCode);
            HeraldMetrics.AttemptMade(outcome.Succeeded, outcome.Duration, work.Message.CreatedAt, work.Delivery.Attempts + 1, startedAt);
            await RecordAsync(work, outcome, leaseEnds);
        }
        catch (OperationCanceledException) when (intake.IsCancellationRequested)
        {
            // Draining: the drain hands back every delivery this node still holds, and it is tried after the restart
            // (or at once by another node).
        }
        catch (Exception e)
        {
            LogAttemptFailed(logger, delivery.Id, e);
            await HandBackAsync(delivery.Id, DeliveryOutcomePolicy.AfterUnexpectedFailure(time.GetUtcNow()), leaseEnds);
        }
    }

    /// <summary>
    /// Gives a delivery back without an attempt, due at <paramref name="due"/> (null parks it); retried while storage
    /// fails. The scan of this node wakes at the due time.
    /// </summary>
    private async Task HandBackAsync(string deliveryId, DateTimeOffset? due, DateTimeOffset leaseEnds)
    {
        try
        {
            await bookkeeping.WriteAsync(
                _ => store.ReleaseDeliveryAsync(deliveryId, due, CancellationToken.None),
                leaseEnds, _abandon.Token);
        }
        catch (OperationCanceledException) when (_abandon.IsCancellationRequested)
        {
            return; // The drain's grace ended: the drain hands it back.
        }
        catch (Exception e) when (StorageFailure.Classify(e) is null)
        {
            // Not an outage (e.g. the delivery was deleted meanwhile): logged; the lease expires and the scan takes it.
            LogDeliveryHandBackFailed(logger, deliveryId, e);
            return;
        }

        if (due is { } at)
        {
            _trigger.WakeAt(at);
        }
    }

    private async Task RecordAsync(DeliveryWork work, AttemptOutcome outcome, DateTimeOffset leaseEnds)
    {
        var now = time.Now();
        var delivery = work.Delivery;
        var decision = policy.Decide(delivery, outcome, now);
        var attempts = decision.Attempts;
        var transition = decision.Transition;
        var next = transition.NextAttemptAt;

        var attempt = new AttemptRecord
        {
            Id = ids.New(Ids.Attempt),
            ApplicationId = delivery.ApplicationId,
            DeliveryId = delivery.Id,
            MessageId = delivery.MessageId,
            EndpointId = delivery.EndpointId,
            Url = outcome.Url ?? work.Endpoint.Url, // What the transformation sent to, if it changed the URL.
            Status = outcome.Succeeded ? MessageStatus.Success : MessageStatus.Fail,
            Trigger = delivery.Manual ? AttemptTrigger.Manual : AttemptTrigger.Scheduled,
            ResponseStatusCode = outcome.StatusCode,
            Response = outcome.Response,
            ResponseDurationMs = (long)outcome.Duration.TotalMilliseconds,
            Error = outcome.Error,
            CreatedAt = now,
        };
        DateTimeOffset? failingSince = null;
        if (!await bookkeeping.WriteAsync(
            async retried =>
            {
                // A retry after a lost answer: the earlier try may have committed (its attempt id is the same).
                if (retried && await attemptStore.GetAttemptAsync(attempt.ApplicationId, attempt.Id, CancellationToken.None) is not null)
                {
                    return;
                }

                failingSince = await store.RecordAttemptAsync(attempt, transition, CancellationToken.None);
            },
            leaseEnds, _abandon.Token))
        {
            return; // Given up at the end of the lease: the delivery is sent again.
        }

        LogAttempt(logger, delivery.Id, attempts, outcome.StatusCode, outcome.Succeeded);
        notes.Attempted(work.Endpoint.Id, work.Message.Id, attempts, outcome, next);
        if (next is { } retryAt)
        {
            _trigger.WakeAt(retryAt);
        }

        if (await fifo.RecordedAsync(work, transition.Status, attempt))
        {
            _trigger.WakeAt(now); // The FIFO line moved on: its next message is claimable now.
        }

        if (policy.Disabling(outcome, failingSince, now) is { } disabling)
        {
            await DisableAsync(work, disabling.FailingSince, disabling.Reason);
        }

        if (delivery.ApplicationId == OperationalWebhooks.ApplicationId)
        {
            return; // No webhooks about webhooks about webhooks.
        }

        attemptLog.Add(work, attempt, attempts);

        if (decision.Notify is { } type)
        {
            await operational.PostAsync(type, AttemptEvent(work, attempt), _abandon.Token);
        }
    }

    private async Task DisableAsync(DeliveryWork work, DateTimeOffset failingSince, string reason)
    {
        var disabled = false;
        await bookkeeping.WriteAsync(
            async _ => disabled = await store.DisableEndpointAsync(work.Endpoint.Id, time.Now(), CancellationToken.None),
            time.GetUtcNow() + _options.LeaseDuration, _abandon.Token);
        if (!disabled)
        {
            return;
        }

        LogEndpointDisabled(logger, work.Endpoint.Id, reason);
        if (work.Delivery.ApplicationId != OperationalWebhooks.ApplicationId)
        {
            await operational.PostAsync("endpoint.disabled", new JsonObject
            {
                ["appId"] = work.Delivery.ApplicationId,
                ["endpointId"] = work.Endpoint.Id,
                ["endpointUid"] = work.Endpoint.Uid,
                ["failSince"] = failingSince.ToIso(),
                ["trigger"] = "automatic",
                ["reason"] = reason,
            }, _abandon.Token);
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

    [LoggerMessage(EventId = EventIds.AttemptMade, Level = LogLevel.Debug, Message = "Delivery {DeliveryId} attempt {Attempt}: status {StatusCode}, success {Succeeded}")]
    private static partial void LogAttempt(ILogger logger, string deliveryId, int attempt, int statusCode, bool succeeded);

    [LoggerMessage(EventId = EventIds.AttemptFailed, Level = LogLevel.Error, Message = "Delivery {DeliveryId} could not be attempted; it is retried shortly")]
    private static partial void LogAttemptFailed(ILogger logger, string deliveryId, Exception exception);

    [LoggerMessage(EventId = EventIds.ScanFailed, Level = LogLevel.Error, Message = "Scanning storage for due deliveries failed, not because storage is unavailable")]
    private static partial void LogScanFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = EventIds.DeliveryHandBackFailed, Level = LogLevel.Error, Message = "Delivery {DeliveryId} could not be handed back; it is tried again when its lease ends")]
    private static partial void LogDeliveryHandBackFailed(ILogger logger, string deliveryId, Exception exception);

    [LoggerMessage(EventId = EventIds.EndpointDisabled, Level = LogLevel.Warning, Message = "Endpoint {EndpointId} was disabled ({Reason})")]
    private static partial void LogEndpointDisabled(ILogger logger, string endpointId, string reason);
}
