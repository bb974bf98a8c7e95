using System.Collections.Concurrent;
using Herald.Server.Api;
using Herald.Server.Storage;

namespace Herald.Server.Polling;

/// <summary>
/// One store read for every pull reader of a polling endpoint that asks for the same page at once. A commit wakes every
/// SSE stream and long-poll of its application together, and readers that keep up all sit at the same position, so
/// without sharing N streams of one sink made N identical reads per message (1,000 streams at 20 msg/s: 20,000 reads/s,
/// BENCHMARKS.md). A reader joins a read in flight for the same sink, filter, page size and position, and takes part in
/// its content slot (<see cref="ContentGate"/>): the page is in memory once, so it holds one slot, given back when the
/// last reader has written it.
/// </summary>
/// <remarks>
/// A reader joins only a read that began after the reader's wake-up was taken (the same <see cref="MessageLogSignal"/>
/// generation): a read started before a commit the reader was woken for might not hold it, and the reader would then
/// wait for the next commit with that message unsent. The read itself runs without the readers' cancellation, since
/// others may be waiting on it; a reader that goes away stops waiting and lets go of its part.
/// </remarks>
internal sealed class SharedLogReads(IPollingStore store, ContentGate gate)
{
    private readonly ConcurrentDictionary<ReadKey, SharedRead> _inFlight = new();

    /// <summary>
    /// The page after <paramref name="position"/>, with a part of its content slot to dispose once the page is written.
    /// <paramref name="wakeUp"/> is the reader's <see cref="MessageLogSignal.NextCommit"/>, taken before this call.
    /// </summary>
    public async Task<(LogPage Page, IDisposable Slot)> ReadAsync(
        PollingEndpoint sink, LogFilter filter, int limit, long maxBytes, long position, Task wakeUp, CancellationToken cancellationToken)
    {
        var key = new ReadKey(sink.Id, sink.UpdatedAt, filter.EventType, filter.Channel, limit, maxBytes, position, wakeUp);
        while (true)
        {
            var read = _inFlight.GetOrAdd(key, static (k, state) => new SharedRead(state.Self, k, state.Sink, state.Filter), (Self: this, Sink: sink, Filter: filter));
            if (!read.TryJoin())
            {
                // It finished between the look-up and the join (and is leaving the map): start or join the next one.
                _inFlight.TryRemove(new KeyValuePair<ReadKey, SharedRead>(key, read));
                continue;
            }

            read.StartOnce();
            try
            {
                var page = await read.Page.WaitAsync(cancellationToken);
                return (page, new Part(read));
            }
            catch
            {
                read.Leave();
                throw;
            }
        }
    }

    /// <summary>Reads in flight: how many distinct reads, for tests.</summary>
    internal int InFlight => _inFlight.Count;

    private readonly record struct ReadKey(
        string SinkId, DateTimeOffset SinkVersion, string? EventType, string? Channel, int Limit, long MaxBytes, long Position, Task WakeUp);

    private sealed class SharedRead(SharedLogReads owner, ReadKey key, PollingEndpoint sink, LogFilter filter)
    {
        private readonly Lock _lock = new();
        private readonly TaskCompletionSource<LogPage> _page = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _started;
        private int _readers;
        private bool _closed;
        private IDisposable? _slot;

        public Task<LogPage> Page => _page.Task;

        public bool TryJoin()
        {
            lock (_lock)
            {
                if (_closed)
                {
                    return false;
                }

                _readers++;
                return true;
            }
        }

        public void StartOnce()
        {
            if (Interlocked.Exchange(ref _started, 1) == 0)
            {
                _ = RunAsync();
            }
        }

        public void Leave()
        {
            IDisposable? release;
            lock (_lock)
            {
                _readers--;
                release = _closed && _readers == 0 ? Interlocked.Exchange(ref _slot, null) : null;
            }

            release?.Dispose();
        }

        private async Task RunAsync()
        {
            IDisposable? slot = null;
            try
            {
                slot = await owner.EnterGateAsync();
                var page = await owner.ReadStoreAsync(sink.ApplicationId, key, filter);
                Close(slot);
                _page.TrySetResult(page);
            }
            catch (Exception e)
            {
                Close(null);
                slot?.Dispose();
                _page.TrySetException(e);
            }
        }

        /// <summary>No one joins from now on; the slot goes back when the last reader has left (at once if none is left).</summary>
        private void Close(IDisposable? slot)
        {
            owner._inFlight.TryRemove(new KeyValuePair<ReadKey, SharedRead>(key, this));
            lock (_lock)
            {
                _closed = true;
                if (_readers > 0)
                {
                    _slot = slot;
                    slot = null;
                }
            }

            slot?.Dispose();
        }
    }

    private Task<IDisposable> EnterGateAsync() => gate.EnterAsync(CancellationToken.None);

    private Task<LogPage> ReadStoreAsync(string applicationId, ReadKey key, LogFilter filter) =>
        store.ReadLogAsync(applicationId, key.Position, filter, key.Limit, key.MaxBytes, CancellationToken.None);

    /// <summary>One reader's part of a shared read's slot.</summary>
    private sealed class Part(SharedRead read) : IDisposable
    {
        private int _left;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _left, 1) == 0)
            {
                read.Leave();
            }
        }
    }
}
