using Microsoft.Extensions.Options;

namespace Herald.Server.Delivery;

/// <summary>
/// The outcome rules, as a pure function of (delivery, attempt outcome, now): what becomes of a delivery after an
/// attempt (succeeded, retried at a time, exhausted), which operational webhook tells the operator, and when its
/// endpoint is disabled; and when a delivery handed back without an attempt is due again. No storage, no clock of its
/// own, no I/O: the dispatcher records and publishes what it decides (DeliveryOutcomePolicyTests read it as a table).
/// </summary>
internal sealed class DeliveryOutcomePolicy(RetrySchedule schedule, IOptions<DeliveryOptions> options)
{
    /// <summary>A delivery whose endpoint (or the process) had no room for it is due again this much later.</summary>
    public static readonly TimeSpan BusyRetryDelay = TimeSpan.FromSeconds(1);

    /// <summary>A delivery whose attempt failed unexpectedly (a bug, not a failed send) is due again this much later.</summary>
    public static readonly TimeSpan UnexpectedFailureRetryDelay = TimeSpan.FromSeconds(5);

    public const string AttemptFailing = "message.attempt.failing";
    public const string AttemptExhausted = "message.attempt.exhausted";
    public const string AttemptRecovered = "message.attempt.recovered";
    public const string DisabledGone = "gone";
    public const string DisabledFailing = "failing";

    private readonly DeliveryOptions _options = options.Value;

    /// <summary>
    /// The delivery's next state after an attempt that ended <paramref name="now"/>: success; fail (manual deliveries
    /// get one try, 410 Gone is final, a used-up schedule); or pending until the schedule's (or Retry-After's) time.
    /// <c>random</c> is the source of the retry's jitter (tests pass a seeded one, or set no jitter).
    /// </summary>
    public DeliveryDecision Decide(DeliveryTask delivery, AttemptOutcome outcome, DateTimeOffset now, Random? random = null)
    {
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
            next = schedule.NextAttempt(now, attempts, outcome.RetryAfter, random);
            status = next is null ? MessageStatus.Fail : MessageStatus.Pending;
        }

        return new DeliveryDecision(attempts, new DeliveryTransition(status, next), Notification(delivery, outcome, attempts, status));
    }

    /// <summary>
    /// Whether the attempt disables its endpoint, and why: at once on 410 Gone; after a failure, once the endpoint has
    /// been failing without a success for <see cref="DeliveryOptions.DisableEndpointAfter"/>. Null keeps it enabled.
    /// <c>failingSince</c> is since when the endpoint fails without a success, as recording the attempt answered (null: it does not).
    /// </summary>
    public EndpointDisabling? Disabling(AttemptOutcome outcome, DateTimeOffset? failingSince, DateTimeOffset now)
    {
        if (outcome.Gone)
        {
            return new EndpointDisabling(DisabledGone, failingSince ?? now);
        }

        return !outcome.Succeeded && failingSince is { } since && now - since >= _options.DisableEndpointAfter
            ? new EndpointDisabling(DisabledFailing, since)
            : null;
    }

    /// <summary>When a delivery handed back because its endpoint or this process was busy is due again.</summary>
    public static DateTimeOffset AfterBusy(DateTimeOffset now) => now + BusyRetryDelay;

    /// <summary>When a delivery whose attempt failed unexpectedly is due again.</summary>
    public static DateTimeOffset AfterUnexpectedFailure(DateTimeOffset now) => now + UnexpectedFailureRetryDelay;

    /// <summary>
    /// The operational webhook the attempt calls for, if any (none about the operational application's own deliveries):
    /// failing after <see cref="DeliveryOptions.FailingNotificationAfter"/> failed attempts with retries left; exhausted
    /// when a scheduled delivery fails for good; recovered on a success after the failing one was sent.
    /// </summary>
    private string? Notification(DeliveryTask delivery, AttemptOutcome outcome, int attempts, MessageStatus status)
    {
        if (delivery.ApplicationId == OperationalWebhooks.ApplicationId)
        {
            return null; // No webhooks about webhooks about webhooks.
        }

        if (!outcome.Succeeded && attempts == _options.FailingNotificationAfter && status == MessageStatus.Pending)
        {
            return AttemptFailing;
        }

        if (!outcome.Succeeded && status == MessageStatus.Fail && !delivery.Manual)
        {
            return AttemptExhausted;
        }

        return outcome.Succeeded && attempts > _options.FailingNotificationAfter ? AttemptRecovered : null;
    }
}

/// <summary>What the dispatcher records after an attempt: the attempts made so far, the delivery's next state, and the
/// operational webhook (<see cref="Notify"/>) to publish about it, if any.</summary>
internal sealed record DeliveryDecision(int Attempts, DeliveryTransition Transition, string? Notify);

/// <summary>An endpoint to disable, why (<c>gone</c> or <c>failing</c>), and since when it has been failing.</summary>
internal sealed record EndpointDisabling(string Reason, DateTimeOffset FailingSince);
