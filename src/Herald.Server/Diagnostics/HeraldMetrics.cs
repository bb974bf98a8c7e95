using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Herald.Server.Diagnostics;

/// <summary>
/// Herald's own instruments, on the <c>Herald</c> meter: what an operator watches (publish rate, attempt outcomes,
/// how long deliveries wait, how hard the storage writer works). Read them with <c>dotnet-counters monitor -n
/// Herald.Server --counters Herald</c> or any OpenTelemetry exporter. No tag carries an application, endpoint or
/// message id: cardinality stays fixed, and nothing of a customer's leaks into monitoring.
/// </summary>
internal static class HeraldMetrics
{
    public const string MeterName = "Herald";

    private static readonly Meter Meter = new(MeterName, typeof(HeraldMetrics).Assembly.GetName().Version?.ToString());

    private static readonly Counter<long> MessagesPublished = Meter.CreateCounter<long>(
        "herald.messages.published", "{message}", "Messages accepted (committed) through the API.");

    private static readonly Counter<long> Attempts = Meter.CreateCounter<long>(
        "herald.delivery.attempts", "{attempt}", "Webhook attempts made, by outcome (success, failure).");

    private static readonly Histogram<double> AttemptDuration = Meter.CreateHistogram<double>(
        "herald.delivery.attempt.duration", "ms", "How long receivers took to answer an attempt.");

    private static readonly Histogram<double> DeliveryLag = Meter.CreateHistogram<double>(
        "herald.delivery.lag", "ms", "From a message's commit to the start of its first attempt at an endpoint.");

    private static readonly Histogram<int> CommitSize = Meter.CreateHistogram<int>(
        "herald.storage.commit.writes", "{write}", "Writes committed together by one group commit (SQLite).");

    private static readonly Histogram<double> CommitDuration = Meter.CreateHistogram<double>(
        "herald.storage.commit.duration", "ms", "Time the storage writer spent on one group commit, fsync included (SQLite).");

    private static readonly Counter<long> PayloadsExpunged = Meter.CreateCounter<long>(
        "herald.retention.payloads.expunged", "{payload}", "Message payloads the retention job forgot because they expired.");

    private static readonly Counter<long> AttemptsDeleted = Meter.CreateCounter<long>(
        "herald.retention.attempts.deleted", "{attempt}", "Attempts the retention job deleted (older than the history retention).");

    private static readonly Counter<long> MessagesDeleted = Meter.CreateCounter<long>(
        "herald.retention.messages.deleted", "{message}", "Messages (with their deliveries) the retention job deleted: payload gone, older than the history retention.");

    private static readonly Counter<long> TasksDeleted = Meter.CreateCounter<long>(
        "herald.retention.background_tasks.deleted", "{task}", "Finished or failed background tasks the retention job deleted (ended before the history retention).");

    private static readonly Histogram<double> RetentionRunDuration = Meter.CreateHistogram<double>(
        "herald.retention.run.duration", "s", "How long one pass of the retention job took, by outcome (success, failure).");

    private static readonly Counter<long> AttemptLogDropped = Meter.CreateCounter<long>(
        "herald.operational.attempt_log.dropped", "{attempt}", "Attempts left out of message.attempt.log because its buffer was full.");

    private static readonly KeyValuePair<string, object?> Success = new("outcome", "success");
    private static readonly KeyValuePair<string, object?> Failure = new("outcome", "failure");

    public static void MessagePublished() => MessagesPublished.Add(1);

    public static void AttemptMade(bool succeeded, TimeSpan duration, DateTimeOffset messageCreatedAt, int attemptNumber, DateTimeOffset startedAt)
    {
        Attempts.Add(1, succeeded ? Success : Failure);
        AttemptDuration.Record(duration.TotalMilliseconds, succeeded ? Success : Failure);
        if (attemptNumber == 1)
        {
            DeliveryLag.Record(Math.Max(0, (startedAt - messageCreatedAt).TotalMilliseconds));
        }
    }

    public static void GroupCommitted(int writes, long startTimestamp)
    {
        CommitSize.Record(writes);
        CommitDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalMilliseconds);
    }

    public static void RetentionRun(long payloads, long attempts, long messages, long tasks, TimeSpan duration, bool succeeded)
    {
        PayloadsExpunged.Add(payloads);
        AttemptsDeleted.Add(attempts);
        MessagesDeleted.Add(messages);
        TasksDeleted.Add(tasks);
        RetentionRunDuration.Record(duration.TotalSeconds, succeeded ? Success : Failure);
    }

    public static void AttemptLogEntryDropped() => AttemptLogDropped.Add(1);

    private static Func<int>? _reducedEndpoints;

    private static readonly ObservableGauge<int> ReducedEndpoints = Meter.CreateObservableGauge(
        "herald.delivery.endpoints.reduced", () => _reducedEndpoints?.Invoke() ?? 0, "{endpoint}",
        "Endpoints whose adaptive concurrency limit is below its start now (they answered with timeouts, 5xx or 429); per endpoint, see its stats.");

    /// <summary>Where <c>herald.delivery.endpoints.reduced</c> is read from (the node's EndpointLimits).</summary>
    public static void ObserveReducedEndpoints(Func<int> count) => _reducedEndpoints = count;
}
