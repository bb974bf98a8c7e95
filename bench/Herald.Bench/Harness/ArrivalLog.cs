using System.Collections.Concurrent;

namespace Herald.Bench.Harness;

/// <summary>
/// What one measurement saw arrive at the receiver: every request, the distinct deliveries (path + webhook-id, so a
/// fan-out to many endpoints counts once per endpoint and a repeat counts once), their publish→receive latencies,
/// and the first and last arrival.
/// </summary>
internal sealed class ArrivalLog
{
    private readonly ConcurrentDictionary<string, byte> _seen = new(StringComparer.Ordinal);
    private readonly List<double> _latencies = [];
    private readonly List<(long PublishedAt, long ArrivedAt)> _timeline = [];
    private long _requests;
    private long _unique;
    private long _invalid;
    private long _firstArrival;
    private long _lastArrival;

    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Distinct deliveries (path and webhook-id) that passed the signature check.</summary>
    public long Unique => Interlocked.Read(ref _unique);

    /// <summary>Requests whose signature or timestamp did not verify (answered 400).</summary>
    public long Invalid => Interlocked.Read(ref _invalid);

    public long Duplicates => Requests - Unique - Invalid;

    public long FirstArrival => Interlocked.Read(ref _firstArrival);

    public long LastArrival => Interlocked.Read(ref _lastArrival);

    public void RecordInvalid()
    {
        Interlocked.Increment(ref _requests);
        Interlocked.Increment(ref _invalid);
    }

    /// <summary>Records a verified request; <paramref name="publishedAt"/> is the payload's timestamp, or -1.</summary>
    public void Record(string path, string webhookId, long publishedAt, long arrivedAt)
    {
        Interlocked.Increment(ref _requests);
        if (!_seen.TryAdd(string.Concat(path, "|", webhookId), 0))
        {
            return;
        }

        Interlocked.CompareExchange(ref _firstArrival, arrivedAt, 0);
        InterlockedMax(ref _lastArrival, arrivedAt);
        if (publishedAt > 0)
        {
            var latency = BenchClock.Milliseconds(publishedAt, arrivedAt);
            lock (_latencies)
            {
                _latencies.Add(latency);
                _timeline.Add((publishedAt, arrivedAt));
            }
        }

        Interlocked.Increment(ref _unique);
    }

    /// <summary>Every delivery's publish and arrival timestamps, in order of arrival.</summary>
    public IReadOnlyList<(long PublishedAt, long ArrivedAt)> Timeline()
    {
        lock (_latencies)
        {
            return [.. _timeline];
        }
    }

    public LatencySummary Latency()
    {
        lock (_latencies)
        {
            return LatencySummary.From(_latencies);
        }
    }

    /// <summary>Waits until <paramref name="count"/> distinct deliveries arrived; false when the timeout came first.</summary>
    public async Task<bool> WaitForAsync(long count, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = BenchClock.After(BenchClock.Now, timeout);
        while (Unique < count)
        {
            if (BenchClock.Now > deadline)
            {
                return false;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken);
        }

        return true;
    }

    private static void InterlockedMax(ref long target, long value)
    {
        var current = Interlocked.Read(ref target);
        while (value > current)
        {
            var previous = Interlocked.CompareExchange(ref target, value, current);
            if (previous == current)
            {
                return;
            }

            current = previous;
        }
    }
}
