using Herald.Server.Storage;
using Herald.Server.Diagnostics;

namespace Herald.Server.Delivery;

/// <summary>
/// Writes that say what became of a delivery this node holds — an attempt's outcome, or handing the delivery back —
/// retried in the background while storage fails, so that a storage outage parks a delivery for the outage and not for
/// its whole lease (with the webhook sent again when the lease ran out, and its success never recorded).
/// </summary>
/// <remarks>
/// <para>
/// The outcome waits in memory, in the attempt's own task: the delivery stays leased to this node, so no other node
/// sends it, and the task keeps its slot of the dispatcher's held work, so a long outage fills those slots and the
/// dispatcher stops claiming new work instead of queueing outcomes without bound.
/// </para>
/// <para>
/// While storage fails, one held write (the probe) retries, with a delay from 100 ms doubling to 5 s; the others wait
/// until a write or a scan succeeds again, then all retry at once. An outage costs one failed write per delay, not one
/// per held delivery, and is logged once when it starts and once when it ends.
/// </para>
/// <para>
/// The lease is not renewed while waiting: a renewal is a write to the storage that just refused one. Whenever it
/// would succeed, the held write (retried within 5 s, or at once when a scan finds storage answering) succeeds too
/// and ends the lease; a renewal that succeeds while the write keeps failing means the write fails for a reason of
/// its own, where holding the delivery longer would only hide it. So a write is given up instead once the lease it
/// was made under has run out (another node may hold the delivery by then): the delivery is sent again, at least once.
/// </para>
/// </remarks>
internal sealed partial class BookkeepingRetry(TimeProvider time, ILogger<BookkeepingRetry> logger)
{
    public static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(100);
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(5);

    private readonly Lock _lock = new();
    private TaskCompletionSource? _outage; // Set while storage fails; completed when it answers again.
    private long _outageStartedAt;
    private bool _probing;
    private int _held;
    private int _givenUp;

    /// <summary>Writes waiting for storage right now.</summary>
    public int Held => Volatile.Read(ref _held);

    /// <summary>
    /// Runs <paramref name="write"/> until it succeeds (its argument says whether it is a retry, e.g. to check whether
    /// an earlier try committed although its answer was lost). False when it was given up at <paramref name="giveUpAt"/>.
    /// Throws <see cref="OperationCanceledException"/> when <paramref name="abandon"/> fires (graceful stop).
    /// </summary>
    public async Task<bool> WriteAsync(Func<bool, Task> write, DateTimeOffset giveUpAt, CancellationToken abandon)
    {
        var retried = false;
        var delay = FirstDelay;
        var probing = false;
        var held = false;
        try
        {
            while (true)
            {
                try
                {
                    await write(retried);
                    Answered();
                    return true;
                }
                // Only outages wait: a write refused for a reason of its own (a bug, a row deleted meanwhile) would fail
                // the same way until the lease ends, so it goes back to the caller at once.
                catch (Exception e) when (!abandon.IsCancellationRequested && StorageFailure.Classify(e) is not null)
                {
                    var outage = Failed(e);
                    if (!held)
                    {
                        held = true;
                        Interlocked.Increment(ref _held);
                    }

                    if (time.GetUtcNow() >= giveUpAt)
                    {
                        GiveUp();
                        return false;
                    }

                    retried = true;
                    probing = probing || TryProbe();
                    while (!probing)
                    {
                        // Not the probe: wait for storage to answer, or for the probe's place to be free (its write ended).
                        await Task.WhenAny(outage, Task.Delay(MaxDelay, time, abandon));
                        abandon.ThrowIfCancellationRequested();
                        if (outage.IsCompleted || time.GetUtcNow() >= giveUpAt)
                        {
                            break;
                        }

                        probing = TryProbe();
                    }

                    if (probing)
                    {
                        await Task.Delay(delay, time, abandon);
                        delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxDelay.Ticks));
                    }
                }
            }
        }
        finally
        {
            if (probing)
            {
                lock (_lock)
                {
                    _probing = false;
                }
            }

            if (held)
            {
                Interlocked.Decrement(ref _held);
            }
        }
    }

    /// <summary>Storage failed (a held write, a scan or a read): starts an outage, logged once, unless one is under way.</summary>
    public Task Failed(Exception exception)
    {
        lock (_lock)
        {
            if (_outage is { } outage)
            {
                return outage.Task;
            }

            _outage = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _outageStartedAt = time.GetTimestamp();
            _givenUp = 0;
            LogOutage(logger, exception);
            return _outage.Task;
        }
    }

    /// <summary>Storage answered (a write or a scan succeeded): ends the outage, and the held writes retry at once.</summary>
    public void Answered()
    {
        if (Volatile.Read(ref _outage) is null)
        {
            return;
        }

        lock (_lock)
        {
            if (_outage is not { } outage)
            {
                return;
            }

            _outage = null;
            LogRecovered(logger, time.GetElapsedTime(_outageStartedAt), Held, _givenUp);
            outage.TrySetResult();
        }
    }

    private bool TryProbe()
    {
        lock (_lock)
        {
            if (_probing)
            {
                return false;
            }

            _probing = true;
            return true;
        }
    }

    private void GiveUp()
    {
        lock (_lock)
        {
            if (_givenUp++ == 0)
            {
                LogGivenUp(logger);
            }
        }
    }

    [LoggerMessage(EventId = EventIds.BookkeepingOutage, Level = LogLevel.Warning,
        Message = "Storage failed; what became of the deliveries this node holds is kept in memory and written when storage answers again (they stay leased to this node)")]
    private static partial void LogOutage(ILogger logger, Exception exception);

    [LoggerMessage(EventId = EventIds.BookkeepingRecovered, Level = LogLevel.Information,
        Message = "Storage answers again after {Duration}; {Held} held write(s) are retried now, {GivenUp} were given up")]
    private static partial void LogRecovered(ILogger logger, TimeSpan duration, int held, int givenUp);

    [LoggerMessage(EventId = EventIds.BookkeepingGivenUp, Level = LogLevel.Error,
        Message = "A delivery's outcome could not be written before its lease ran out; it is given up and the delivery is sent again (further ones in this outage are counted, not logged)")]
    private static partial void LogGivenUp(ILogger logger);
}
