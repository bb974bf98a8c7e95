namespace Herald.Server.Delivery;

/// <summary>
/// One endpoint's sends in flight on this node, bounded by a limit that moves (<see cref="AdaptiveConcurrency"/>):
/// a semaphore whose count follows the policy. Waiters are served first come first served; when the limit shrinks,
/// sends in flight finish and no new one starts until fewer than the new limit are in flight.
/// </summary>
internal sealed class ConcurrencyGate(AdaptiveConcurrency policy)
{
    private readonly Lock _lock = new();
    private readonly LinkedList<TaskCompletionSource> _waiters = new();
    private int _inFlight;

    public int Limit
    {
        get
        {
            lock (_lock)
            {
                return policy.Limit;
            }
        }
    }

    public int Ceiling => policy.Ceiling;

    /// <summary>The endpoint's latest outcome was a timeout (<see cref="AdaptiveConcurrency.TimingOut"/>).</summary>
    public bool TimingOut
    {
        get
        {
            lock (_lock)
            {
                return policy.TimingOut;
            }
        }
    }

    /// <summary>
    /// Enters now or within <paramref name="maxWait"/> (true), or gives up then (false). Throws
    /// <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> is canceled first.
    /// </summary>
    public async ValueTask<bool> EnterAsync(TimeSpan maxWait, TimeProvider time, CancellationToken cancellationToken)
    {
        TaskCompletionSource waiter;
        LinkedListNode<TaskCompletionSource> node;
        lock (_lock)
        {
            if (_waiters.Count == 0 && _inFlight < policy.Limit)
            {
                _inFlight++;
                return true;
            }

            waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            node = _waiters.AddLast(waiter);
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
                granted = node.List is null; // Taken off the queue by a grant while giving up.
                if (!granted)
                {
                    _waiters.Remove(node);
                }
            }

            if (granted)
            {
                Exit(); // Hand the place on.
            }

            if (e is OperationCanceledException)
            {
                throw;
            }

            return false;
        }
    }

    /// <summary>Takes an attempt's outcome into account; a grown limit lets waiters in at once.</summary>
    public void Observe(AttemptSignal signal, DateTimeOffset startedAt, DateTimeOffset now)
    {
        List<TaskCompletionSource>? granted;
        lock (_lock)
        {
            policy.Observe(signal, startedAt, now, saturated: _inFlight + _waiters.Count >= policy.Limit);
            granted = Grant();
        }

        granted?.ForEach(w => w.TrySetResult());
    }

    /// <summary>A send ended: the next waiter may go, if fewer than the limit are in flight.</summary>
    public void Exit()
    {
        List<TaskCompletionSource>? granted;
        lock (_lock)
        {
            _inFlight--;
            granted = Grant();
        }

        granted?.ForEach(w => w.TrySetResult());
    }

    private List<TaskCompletionSource>? Grant()
    {
        List<TaskCompletionSource>? granted = null;
        while (_inFlight < policy.Limit && _waiters.First is { } first)
        {
            _waiters.RemoveFirst();
            _inFlight++;
            (granted ??= []).Add(first.Value);
        }

        return granted;
    }
}

/// <summary>
/// A place in an endpoint's <see cref="ConcurrencyGate"/>, held from before the send until its outcome is recorded.
/// <see cref="Observe"/> hands the send's outcome to the endpoint's limit as soon as it is known.
/// </summary>
internal sealed class EndpointPermit(ConcurrencyGate gate, TimeProvider time) : IDisposable
{
    private int _released;
    private DateTimeOffset _startedAt = time.GetUtcNow();

    /// <summary>The endpoint's latest attempt timed out: this send should start spread (AdaptiveConcurrency.StartSpread).</summary>
    public bool EndpointTimingOut => gate.TimingOut;

    /// <summary>The send starts now (after any wait for the endpoint's throttleRate).</summary>
    public void Sending() => _startedAt = time.GetUtcNow();

    /// <summary>The send ended with this outcome, under this timeout.</summary>
    public void Observe(AttemptOutcome outcome, TimeSpan timeout) =>
        gate.Observe(AdaptiveConcurrency.Classify(outcome, timeout), _startedAt, time.GetUtcNow());

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            gate.Exit();
        }
    }
}
