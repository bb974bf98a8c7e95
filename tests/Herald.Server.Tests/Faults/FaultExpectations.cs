namespace Herald.Server.Tests.Faults;

/// <summary>What a fault run must end with, beyond "nothing accepted is lost" (always checked).</summary>
public sealed record FaultExpectations
{
    /// <summary>
    /// The delivery state each (endpoint path, message number) must end in: <c>success</c> unless the scenario makes
    /// <c>fail</c> the correct end (a receiver that never answers well, once the schedule is used up).
    /// </summary>
    public Func<string, int, string> EndStatus { get; init; } = (_, _) => "success";

    /// <summary>
    /// Null: the attempt log has exactly one row per request the receiver saw, with the same outcome. A number: the
    /// process or its storage was cut off mid-run, so a try may have reached the receiver without its row being
    /// written; the log may then miss at most this many tries in all (and never holds a row the receiver did not see).
    /// </summary>
    public int? MaxUnloggedTries { get; init; }

    /// <summary>Attempts a delivery gets in all (1 + retry delays); a receiver must never see more requests of one message.</summary>
    public int? MaxAttempts { get; init; }

    /// <summary>When set, consecutive tries of one message must respect this retry schedule (see <see cref="RetryTiming"/>).</summary>
    public RetryTiming? Timing { get; init; }

    /// <summary>How long the deliveries may take to settle after the load ends.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(60);
}

/// <summary>
/// The retry schedule as the receiver must see it: try k+1 arrives no earlier than delay k × (1 − jitter) after try k,
/// and no later than delay k × (1 + jitter) + <see cref="TryTimeout"/> (the failed try itself) + <see cref="MaxLateness"/>.
/// The lateness bound is far below the scan interval a run sets, so it tells "woken at the due time" from "found by the
/// next storage scan" without depending on how fast the machine is.
/// </summary>
public sealed record RetryTiming(IReadOnlyList<TimeSpan> Delays, double Jitter, TimeSpan TryTimeout, TimeSpan MaxLateness)
{
    /// <summary>Clock tolerance between Herald's timer and the receiver's arrival stamps.</summary>
    public static readonly TimeSpan Tolerance = TimeSpan.FromMilliseconds(50);
}
