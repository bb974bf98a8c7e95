using Microsoft.Extensions.Options;

namespace Herald.Server.Delivery;

/// <summary>
/// When the next attempt of a failed delivery is due: the configured delay for this retry, spread by
/// ± jitter, or the receiver's own <c>Retry-After</c> (clamped). Null once the schedule is used up.
/// </summary>
internal sealed class RetrySchedule(IOptions<DeliveryOptions> options)
{
    private readonly IReadOnlyList<TimeSpan> _delays = options.Value.RetrySchedule is { Count: > 0 } configured ? configured : DeliveryOptions.DefaultRetrySchedule;
    private readonly double _jitter = options.Value.Jitter;
    private readonly TimeSpan _maxRetryAfter = options.Value.MaxRetryAfter;

    /// <summary>Attempts a delivery gets in all: the first, immediate one and one per scheduled delay.</summary>
    public int MaxAttempts => _delays.Count + 1;

    /// <param name="now">When the failed attempt ended.</param>
    /// <param name="attemptsMade">Attempts already made, the failed one included (1 after the first).</param>
    /// <param name="retryAfter">The receiver's Retry-After, if it sent one with 429 or 503.</param>
    /// <param name="random">Source of the jitter (tests pass a seeded one).</param>
    public DateTimeOffset? NextAttempt(DateTimeOffset now, int attemptsMade, TimeSpan? retryAfter, Random? random = null)
    {
        if (attemptsMade >= MaxAttempts)
        {
            return null;
        }

        if (retryAfter is { } asked)
        {
            return now + Clamp(asked, TimeSpan.FromSeconds(1), _maxRetryAfter);
        }

        var delay = _delays[attemptsMade - 1];
        var spread = ((random ?? Random.Shared).NextDouble() * 2 - 1) * _jitter;
        return now + delay * (1 + spread);
    }

    private static TimeSpan Clamp(TimeSpan value, TimeSpan min, TimeSpan max) => value < min ? min : value > max ? max : value;
}
