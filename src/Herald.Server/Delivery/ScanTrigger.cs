using Herald.Server.Cluster;

namespace Herald.Server.Delivery;

/// <summary>
/// When the dispatcher scans storage for due deliveries: every scan interval, and at once when another node says
/// there may be work (it released deliveries, or committed messages). Wake-ups that arrive during a scan lead to one
/// more scan, not one each; and wake-up scans are at least 100 ms (or a tenth of the interval) apart, so a busy cluster
/// does not turn the safety-net scan into a hot loop. A retry of this node coming due (<see cref="WakeForDue"/>) skips
/// that cool-down: those wake-ups are already spaced by <see cref="RetryWakeups"/>, and a retry should not be late.
/// </summary>
internal sealed class ScanTrigger : IDisposable
{
    private static readonly TimeSpan MaxCooldown = TimeSpan.FromMilliseconds(100);
    private readonly PeriodicTimer _timer;
    private readonly TimeProvider _time;
    private readonly IClusterSignal _cluster;
    private readonly TimeSpan _cooldown;
    private TaskCompletionSource _wake = NewWake();
    private Task<bool>? _tick;
    private long? _lastWakeScan;
    private int _dueWake;
    private readonly RetryWakeups _wakeups;

    public ScanTrigger(TimeSpan interval, TimeProvider time, IClusterSignal cluster)
    {
        _timer = new PeriodicTimer(interval, time);
        _time = time;
        _cluster = cluster;
        _cooldown = TimeSpan.FromTicks(Math.Min(interval.Ticks / 10, MaxCooldown.Ticks));
        _wakeups = new RetryWakeups(time, WakeForDue);
        cluster.DeliveriesReleased += Wake;
        cluster.MayHaveMissedSignals += Wake;
        cluster.MessageCommitted += OnMessageCommitted;
    }

    public void Wake() => Volatile.Read(ref _wake).TrySetResult();

    /// <summary>Scan when <paramref name="due"/> comes (a retry this node scheduled), not only at the next tick.</summary>
    public void WakeAt(DateTimeOffset due) => _wakeups.Add(due);

    /// <summary>A retry is due now: scan at once, without the cool-down of other wake-ups.</summary>
    private void WakeForDue()
    {
        Volatile.Write(ref _dueWake, 1);
        Wake();
    }

    private void OnMessageCommitted(string applicationId, long sequence) => Wake();

    /// <summary>Waits for the next tick or wake-up; false once the timer is disposed. Not for concurrent callers.</summary>
    public async Task<bool> WaitAsync(CancellationToken cancellationToken)
    {
        _tick ??= _timer.WaitForNextTickAsync(cancellationToken).AsTask();
        var wake = Volatile.Read(ref _wake);
        if (await Task.WhenAny(_tick, wake.Task) == wake.Task && Interlocked.Exchange(ref _dueWake, 0) == 0)
        {
            var early = _lastWakeScan is { } last ? _cooldown - _time.GetElapsedTime(last) : TimeSpan.Zero;
            if (early > TimeSpan.Zero)
            {
                await Task.WhenAny(_tick, Task.Delay(early, _time, cancellationToken));
                cancellationToken.ThrowIfCancellationRequested();
            }

            _lastWakeScan = _time.GetTimestamp();
        }

        if (_tick.IsCompleted)
        {
            var ticking = await _tick;
            _tick = null;
            if (!ticking)
            {
                return false;
            }
        }

        // Consumed: a wake-up from now on (during the scan that follows) makes the next wait return at once.
        if (wake.Task.IsCompleted)
        {
            Interlocked.CompareExchange(ref _wake, NewWake(), wake);
        }

        return true;
    }

    private static TaskCompletionSource NewWake() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Dispose()
    {
        _cluster.DeliveriesReleased -= Wake;
        _cluster.MayHaveMissedSignals -= Wake;
        _cluster.MessageCommitted -= OnMessageCommitted;
        _timer.Dispose();
        _wakeups.Dispose();
    }
}
