namespace Herald.Bench.Harness;

/// <summary>What a publishing run achieved: accepted (202) and failed requests, over which time, and how fast Herald answered.</summary>
internal sealed record PublishResult(
    long Accepted, long Failed, string? FirstError, long StartedAt, long EndedAt, LatencySummary ResponseMs, LatencySummary? ScheduleLagMs)
{
    /// <summary>For an open-loop run: the schedule was abandoned because too many publishes were unanswered.</summary>
    public bool Overloaded { get; init; }

    public double Seconds => BenchClock.Seconds(StartedAt, EndedAt);

    public double AcceptedPerSecond => Seconds > 0 ? Accepted / Seconds : 0;
}

/// <summary>Collects the outcome of each publish request of a run, from many concurrent clients.</summary>
internal sealed class PublishRecorder
{
    private readonly List<double> _responseMs = [];
    private readonly List<double> _lagMs = [];
    private long _accepted;
    private long _failed;
    private string? _firstError;

    public long Accepted => Interlocked.Read(ref _accepted);

    /// <summary>Requests answered so far, accepted or not.</summary>
    public long Answered => Interlocked.Read(ref _accepted) + Interlocked.Read(ref _failed);

    public void Succeeded(double responseMs, double? lagMs)
    {
        Interlocked.Increment(ref _accepted);
        lock (_responseMs)
        {
            _responseMs.Add(responseMs);
            if (lagMs is { } lag)
            {
                _lagMs.Add(lag);
            }
        }
    }

    public void Failed(string error)
    {
        Interlocked.Increment(ref _failed);
        Interlocked.CompareExchange(ref _firstError, error, null);
    }

    public PublishResult Finish(long startedAt, long endedAt)
    {
        lock (_responseMs)
        {
            return new PublishResult(
                Accepted, Interlocked.Read(ref _failed), _firstError, startedAt, endedAt,
                LatencySummary.From(_responseMs), _lagMs.Count > 0 ? LatencySummary.From(_lagMs) : null);
        }
    }
}
