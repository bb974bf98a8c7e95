namespace Herald.Server.Delivery;

/// <summary>
/// Wakes the dispatcher's scan when a retry this node scheduled comes due, so a retry is tried at its time and not at
/// the next periodic scan (which came 0–1 s later, and more under load). One timer, armed for the earliest due time.
/// </summary>
/// <remarks>
/// Due times are rounded up to <see cref="Granularity"/>, so retries due close together share one wake-up (and one scan
/// claims them all): at most 1 / <see cref="Granularity"/> scans a second, however many retries come due. The set is
/// bounded (<see cref="Capacity"/>): past it the latest due times are dropped, and those retries wait for the periodic
/// scan, which stays the safety net for them, for work of other nodes and after a restart.
/// </remarks>
internal sealed class RetryWakeups : IDisposable
{
    public const int Capacity = 4096;
    public static readonly TimeSpan Granularity = TimeSpan.FromMilliseconds(10);

    private readonly TimeProvider _time;
    private readonly Action _wake;
    private readonly ITimer _timer;
    private readonly SortedSet<long> _due = [];
    private readonly Lock _lock = new();
    private long _armedFor = long.MaxValue;
    private bool _disposed;

    public RetryWakeups(TimeProvider time, Action wake)
    {
        _time = time;
        _wake = wake;
        _timer = time.CreateTimer(_ => Fire(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Wake the scan at <paramref name="due"/> (at once if it has passed).</summary>
    public void Add(DateTimeOffset due)
    {
        var ticks = (due.UtcTicks + Granularity.Ticks - 1) / Granularity.Ticks * Granularity.Ticks;
        lock (_lock)
        {
            if (_disposed || !_due.Add(ticks))
            {
                return;
            }

            if (_due.Count > Capacity)
            {
                var latest = _due.Max;
                _due.Remove(latest);
                if (latest == ticks)
                {
                    return;
                }
            }

            if (ticks < _armedFor)
            {
                Arm(ticks, _time.GetUtcNow().UtcTicks);
            }
        }
    }

    private void Fire()
    {
        var wake = false;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            // The timer runs on a monotonic clock, due times on the wall clock: a timer a little early is armed again.
            var now = _time.GetUtcNow().UtcTicks;
            while (_due.Count > 0 && _due.Min <= now)
            {
                _due.Remove(_due.Min);
                wake = true;
            }

            _armedFor = long.MaxValue;
            if (_due.Count > 0)
            {
                Arm(_due.Min, now);
            }
        }

        if (wake)
        {
            _wake();
        }
    }

    private void Arm(long ticks, long now)
    {
        _armedFor = ticks;
        // Whole milliseconds, rounded up: the system timer truncates, and a timer due in 0.4 ms would fire early.
        var wait = TimeSpan.FromMilliseconds(Math.Ceiling(TimeSpan.FromTicks(Math.Max(0, ticks - now)).TotalMilliseconds));
        _timer.Change(wait, Timeout.InfiniteTimeSpan);
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _due.Clear();
        }

        _timer.Dispose();
    }
}
