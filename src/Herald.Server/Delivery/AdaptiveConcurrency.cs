namespace Herald.Server.Delivery;

/// <summary>
/// How many attempts one endpoint may have in flight, learned from its answers (AIMD, as TCP's congestion window):
/// while the endpoint answers quickly and successfully and the limit is what holds its deliveries back, the limit grows
/// by one per window of fast successes (a window is as many successes as the limit); a 5xx or a 429 halves it, down to
/// <see cref="Floor"/>; a timeout halves it too, but not below <see cref="Initial"/>. It never exceeds
/// <see cref="Ceiling"/>. Only the decision: no locking, no waiting, and "now" comes from the caller, so it is tested on
/// its own (AdaptiveConcurrencyTests).
/// </summary>
/// <remarks>
/// <para>Why timeouts stop at the start value: a receiver that does not answer at all gains nothing from fewer sends,
/// while its other deliveries would queue behind 15-second timeouts and their retries would miss the schedule (the
/// "stalled endpoint" rule that did so was dropped in 5ac2ec2). A receiver that answers 5xx or 429 answers fast, so
/// queueing behind its answers costs little, and fewer sends are what it asks for.</para>
/// <para>
/// Sends already in flight when the limit was halved were started under the old limit; their failures tell nothing
/// new, so they do not halve it again: a burst of timeouts of one endpoint halves it once, not once per send (TCP's
/// one reduction per window). A failure of a send started after the last reduction halves it again.</para>
/// </remarks>
internal sealed class AdaptiveConcurrency
{
    private int _fastInWindow;
    private DateTimeOffset _reducedAt = DateTimeOffset.MinValue;

    public AdaptiveConcurrency(int initial, int floor, int ceiling)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(floor, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(ceiling, floor);
        Floor = floor;
        Ceiling = ceiling;
        Initial = Limit = Math.Clamp(initial, floor, ceiling);
    }

    /// <summary>Where the limit starts, and the least a timeout brings it down to.</summary>
    public int Initial { get; }

    /// <summary>The least the limit falls to: an endpoint always gets this many sends at once.</summary>
    public int Floor { get; }

    /// <summary>The most the limit grows to.</summary>
    public int Ceiling { get; }

    /// <summary>The endpoint's latest outcome was a timeout: its next sends start spread (<see cref="StartSpread"/>).</summary>
    public bool TimingOut { get; private set; }

    /// <summary>Attempts the endpoint may have in flight now.</summary>
    public int Limit { get; private set; }

    /// <summary>
    /// Takes one attempt's outcome into account. <paramref name="saturated"/>: when it ended, the endpoint had as many
    /// attempts in flight or waiting as its limit, so the limit (not the traffic) was what bounded it; only then does a
    /// fast success count toward growth (an endpoint sent one webhook a minute does not climb to the ceiling).
    /// </summary>
    public void Observe(AttemptSignal signal, DateTimeOffset startedAt, DateTimeOffset now, bool saturated)
    {
        TimingOut = signal == AttemptSignal.TimedOut;
        switch (signal)
        {
            case AttemptSignal.Fast when saturated:
                if (++_fastInWindow >= Limit)
                {
                    _fastInWindow = 0;
                    Limit = Math.Min(Ceiling, Limit + 1);
                }

                break;
            case AttemptSignal.Overloaded when startedAt >= _reducedAt:
                Reduce(Floor, now);
                break;
            case AttemptSignal.TimedOut when startedAt >= _reducedAt && Limit > Initial:
                Reduce(Initial, now);
                break;
        }
    }

    private void Reduce(int atLeast, DateTimeOffset now)
    {
        _fastInWindow = 0;
        _reducedAt = now;
        Limit = Math.Max(atLeast, Limit / 2);
    }

    /// <summary>
    /// How long a send to an endpoint that is <see cref="TimingOut"/> waits before it starts: a random share
    /// (<paramref name="random"/>, 0 to 1) of a tenth of the attempt's timeout, at most 3 s at the longest timeout.
    /// </summary>
    /// <remarks>
    /// Sends that hang together time out together, and the sends that replace them start together and hang together
    /// again: an application whose endpoints stopped answering then costs the node a burst every timeout period (at
    /// once, hundreds of cancellations, attempt records and new connections, about 150 ms of both cores on the benchmark
    /// machine), and every other application's deliveries wait behind it (the noisy-neighbour scenario,
    /// docs/BENCHMARKS.md). Spread over a tenth of the timeout, the same work arrives a little at a time, and stays
    /// spread at every later timeout. It delays only sends to an endpoint whose last attempt got no answer at all, by
    /// at most a tenth of what each of them will probably wait anyway; the first answer ends it.
    /// </remarks>
    public static TimeSpan StartSpread(TimeSpan timeout, double random) => timeout / 10 * Math.Clamp(random, 0, 1);

    /// <summary>
    /// What an attempt says about the endpoint's capacity: a 2xx faster than a quarter of the attempt's timeout is
    /// fast; a 5xx or a 429 is overloaded; no answer within the timeout is timed out; anything else (a slow success, another 4xx, a refused connection, a
    /// redirect) says nothing about how many sends at once it can take.
    /// </summary>
    public static AttemptSignal Classify(AttemptOutcome outcome, TimeSpan timeout) => outcome switch
    {
        { StatusCode: 429 or >= 500 } => AttemptSignal.Overloaded,
        { StatusCode: 0 } when outcome.Duration >= timeout => AttemptSignal.TimedOut,
        { Succeeded: true } when outcome.Duration < timeout / 4 => AttemptSignal.Fast,
        _ => AttemptSignal.Neutral,
    };
}

/// <summary>What one attempt says about how many sends at once its endpoint can take.</summary>
internal enum AttemptSignal
{
    Neutral = 0,
    Fast = 1,
    Overloaded = 2,
    TimedOut = 3,
}
