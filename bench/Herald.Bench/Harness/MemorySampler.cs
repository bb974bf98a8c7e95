namespace Herald.Bench.Harness;

/// <summary>One reading of the servers' memory during a scenario, with the phase and a progress counter.</summary>
internal sealed record MemorySample(double Seconds, string Phase, long Progress, double RssMiB, double PeakRssMiB);

/// <summary>
/// Reads the Herald processes' resident memory (VmRSS, VmHWM from /proc) at a fixed interval until disposed. With
/// several nodes a sample holds the sum of their RSS and the largest peak.
/// </summary>
internal sealed class MemorySampler : IAsyncDisposable
{
    private readonly HeraldCluster _cluster;
    private readonly Func<long> _progress;
    private readonly List<MemorySample> _samples = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly long _startedAt = BenchClock.Now;
    private volatile string _phase;

    public MemorySampler(HeraldCluster cluster, TimeSpan interval, string phase, Func<long> progress)
    {
        _cluster = cluster;
        _progress = progress;
        _phase = phase;
        _loop = RunAsync(interval);
    }

    public string Phase
    {
        get => _phase;
        set
        {
            _phase = value;
            Sample();
        }
    }

    public IReadOnlyList<MemorySample> Samples
    {
        get
        {
            lock (_samples)
            {
                return [.. _samples];
            }
        }
    }

    private async Task RunAsync(TimeSpan interval)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            do
            {
                Sample();
            }
            while (await timer.WaitForNextTickAsync(_stop.Token));
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }

    private void Sample()
    {
        var readings = _cluster.ReadMemory().OfType<ProcessMemory>().ToList();
        if (readings.Count == 0)
        {
            return;
        }

        var sample = new MemorySample(
            Math.Round(BenchClock.Seconds(_startedAt, BenchClock.Now), 1), _phase, _progress(),
            Math.Round(readings.Sum(r => r.RssMiB), 1), readings.Max(r => r.PeakRssMiB));
        lock (_samples)
        {
            _samples.Add(sample);
        }
    }

    /// <summary>Stops sampling after one last sample.</summary>
    public async Task StopAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        await _stop.CancelAsync();
        await _loop;
        Sample();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }
}
