namespace Herald.Server.Delivery;

/// <summary>
/// The node's sends in flight (<see cref="DeliveryOptions.MaxConcurrentSends"/>), shared fairly between applications
/// and their endpoints by <see cref="FairShares{TWaiter}"/>: a send over its application's share waits in that
/// application's queue and is served round robin as slots free, not in order of arrival.
/// </summary>
internal sealed class SendSlots(int capacity, TimeProvider time)
{
    private readonly Lock _lock = new();
    private readonly FairShares<TaskCompletionSource> _shares = new(capacity);

    /// <summary>Sends in flight now.</summary>
    public int InUse
    {
        get
        {
            lock (_lock)
            {
                return _shares.InUse;
            }
        }
    }

    /// <summary>
    /// A slot for a send to the endpoint, or false when none came within <paramref name="maxWait"/>. Throws
    /// <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> is canceled first.
    /// </summary>
    public async ValueTask<bool> AcquireAsync(string app, string endpoint, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        TaskCompletionSource waiter;
        lock (_lock)
        {
            if (_shares.TryTake(app, endpoint))
            {
                return true;
            }

            waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _shares.Enqueue(app, endpoint, waiter);
        }

        try
        {
            await waiter.Task.WaitAsync(maxWait, time, cancellationToken);
            return true;
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            bool granted;
            lock (_lock)
            {
                granted = !_shares.Remove(app, endpoint, waiter);
            }

            if (granted)
            {
                Release(app, endpoint); // Granted while giving up: hand the slot on.
            }

            if (e is OperationCanceledException)
            {
                throw;
            }

            return false;
        }
    }

    /// <summary>Gives a slot back.</summary>
    public void Release(string app, string endpoint)
    {
        TaskCompletionSource? first = null;
        List<TaskCompletionSource>? more = null;
        lock (_lock)
        {
            _shares.Release(app, endpoint);
            while (_shares.TryGrantNext(out var next))
            {
                if (first is null)
                {
                    first = next;
                }
                else
                {
                    (more ??= []).Add(next);
                }
            }
        }

        first?.TrySetResult();
        more?.ForEach(w => w.TrySetResult());
    }
}
