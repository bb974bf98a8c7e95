using System.ComponentModel.DataAnnotations;

namespace Herald.Server.Delivery;

/// <summary>
/// How the <c>message.attempt.log</c> operational webhook is batched. Bound from <c>Herald:Delivery</c> (next to the
/// other delivery settings: <c>Herald__Delivery__AttemptLogInterval</c>, <c>Herald__Delivery__AttemptLogBatchSize</c>).
/// </summary>
public sealed class AttemptLogOptions
{
    public const string Section = DeliveryOptions.Section;

    /// <summary>How often the attempts made since the last batch are sent (1 second to 1 hour). Default 10 seconds.</summary>
    public TimeSpan AttemptLogInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Most attempts in one <c>message.attempt.log</c> webhook; a batch this full is sent at once, without waiting for
    /// the interval. Default 250 (about 100 KB of JSON). Up to ten batches are held in memory; attempts beyond that are
    /// left out of the log (counted by <c>herald.operational.attempt_log.dropped</c>), never delaying delivery.
    /// </summary>
    [Range(1, 5_000)]
    public int AttemptLogBatchSize { get; set; } = 250;
}
