using Herald.Server.Api;
using Herald.Server.Polling;
using Herald.Server.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Herald.Server.Tests.Polling;

/// <summary>
/// Readers of the same page at the same moment (every SSE stream of a sink, woken by one commit) share one store read
/// and one content slot; readers of another page, or woken by another commit, read on their own.
/// </summary>
public sealed class SharedLogReadsTests
{
    private static readonly PollingEndpoint Sink = new()
    {
        Id = "poll_1",
        ApplicationId = "app_1",
        CreatedAt = DateTimeOffset.UnixEpoch,
        UpdatedAt = DateTimeOffset.UnixEpoch,
    };

    private static readonly LogFilter Filter = new(null, null, null, null);

    private readonly BlockingLog _log = new();

    /// <summary>A content gate with a single slot, so a test can tell when the slot is free again.</summary>
    private readonly ContentGate _gate = Gate(slots: 1);

    [Fact]
    public async Task ManyReaders_SamePositionAndWakeUp_ShareOneReadAndOneSlot()
    {
        var reads = new SharedLogReads(_log, _gate);
        var wakeUp = new TaskCompletionSource().Task;
        var readers = Enumerable.Range(0, 20).Select(_ => reads.ReadAsync(Sink, Filter, 100, 1024, 5, wakeUp, CancellationToken.None)).ToList();

        var read = await _log.NextReadAsync();
        Assert.Equal(5, read.After);
        read.Answer(new LogPage([], 5, Done: true));
        var pages = await Task.WhenAll(readers);

        Assert.Equal(1, _log.Reads);
        Assert.All(pages, p => Assert.Same(pages[0].Page, p.Page));
        // The single slot is held until the last reader has written its page.
        foreach (var (_, slot) in pages.Skip(1))
        {
            slot.Dispose();
        }

        Assert.False(await SlotFreeAsync());
        pages[0].Slot.Dispose();
        Assert.True(await SlotFreeAsync());
    }

    [Fact]
    public async Task ReadersWokenByDifferentCommits_ReadOnTheirOwn()
    {
        var reads = new SharedLogReads(_log, Gate(slots: 2));
        var first = reads.ReadAsync(Sink, Filter, 100, 1024, 5, new TaskCompletionSource().Task, CancellationToken.None);
        var second = reads.ReadAsync(Sink, Filter, 100, 1024, 5, new TaskCompletionSource().Task, CancellationToken.None);

        (await _log.NextReadAsync()).Answer(new LogPage([], 5, Done: true));
        (await _log.NextReadAsync()).Answer(new LogPage([], 5, Done: true));
        (await first).Slot.Dispose();
        (await second).Slot.Dispose();

        Assert.Equal(2, _log.Reads);
    }

    [Fact]
    public async Task ReadersAtDifferentPositions_ReadOnTheirOwn()
    {
        var reads = new SharedLogReads(_log, Gate(slots: 2));
        var wakeUp = new TaskCompletionSource().Task;
        var first = reads.ReadAsync(Sink, Filter, 100, 1024, 5, wakeUp, CancellationToken.None);
        var second = reads.ReadAsync(Sink, Filter, 100, 1024, 6, wakeUp, CancellationToken.None);

        var positions = new[] { await _log.NextReadAsync(), await _log.NextReadAsync() };
        Assert.Equal([5L, 6L], positions.Select(r => r.After).Order());
        foreach (var read in positions)
        {
            read.Answer(new LogPage([], read.After, Done: true));
        }

        Assert.Equal(5, (await first).Page.Position);
        Assert.Equal(6, (await second).Page.Position);
    }

    [Fact]
    public async Task AReaderThatGoesAway_LeavesTheOthersTheirPage_AndItsPartOfTheSlot()
    {
        var reads = new SharedLogReads(_log, _gate);
        var wakeUp = new TaskCompletionSource().Task;
        using var leaving = new CancellationTokenSource();
        var gone = reads.ReadAsync(Sink, Filter, 100, 1024, 5, wakeUp, leaving.Token);
        var staying = reads.ReadAsync(Sink, Filter, 100, 1024, 5, wakeUp, CancellationToken.None);
        var read = await _log.NextReadAsync();

        await leaving.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => gone);
        read.Answer(new LogPage([], 7, Done: true));
        var (page, slot) = await staying;

        Assert.Equal(7, page.Position);
        Assert.False(await SlotFreeAsync());
        slot.Dispose();
        Assert.True(await SlotFreeAsync());
    }

    [Fact]
    public async Task AFailedRead_FailsEveryReaderOfIt_AndGivesTheSlotBack()
    {
        var reads = new SharedLogReads(_log, _gate);
        var wakeUp = new TaskCompletionSource().Task;
        var readers = Enumerable.Range(0, 3).Select(_ => reads.ReadAsync(Sink, Filter, 100, 1024, 5, wakeUp, CancellationToken.None)).ToList();

        (await _log.NextReadAsync()).Fail(new TimeoutException("storage is slow"));

        foreach (var reader in readers)
        {
            await Assert.ThrowsAsync<TimeoutException>(() => reader);
        }

        Assert.True(await SlotFreeAsync());
        Assert.Equal(0, reads.InFlight);
    }

    private static ContentGate Gate(int slots) =>
        new(Options.Create(new ApiOptions { PageByteBudget = 1024, MaxContentBytesInFlight = 1024 * slots }), NullLogger<ContentGate>.Instance);

    private async Task<bool> SlotFreeAsync()
    {
        using var wait = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        try
        {
            (await _gate.EnterAsync(wait.Token)).Dispose();
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>A log whose reads wait until the test answers them.</summary>
    private sealed class BlockingLog : IPollingStore
    {
        private readonly System.Threading.Channels.Channel<PendingRead> _pending = System.Threading.Channels.Channel.CreateUnbounded<PendingRead>();
        private int _reads;

        public int Reads => _reads;

        public async Task<PendingRead> NextReadAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            return await _pending.Reader.ReadAsync(timeout.Token);
        }

        public Task<LogPage> ReadLogAsync(string applicationId, long after, LogFilter filter, int limit, long maxBytes, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _reads);
            var read = new PendingRead(after);
            _pending.Writer.TryWrite(read);
            return read.Page;
        }

        public Task<PollingEndpoint?> GetPollingEndpointAsync(string applicationId, string idOrUid, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<Page<PollingEndpoint>> ListPollingEndpointsAsync(string applicationId, PageRequest page, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task CreatePollingEndpointAsync(PollingEndpoint endpoint, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task UpdatePollingEndpointAsync(PollingEndpoint endpoint, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<bool> DeletePollingEndpointAsync(string applicationId, string id, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<long> LogPositionAtAsync(string applicationId, DateTimeOffset time, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<long?> GetConsumerPositionAsync(string sinkId, string consumerId, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task SetConsumerPositionAsync(string sinkId, string consumerId, long position, DateTimeOffset now, CancellationToken cancellationToken) => throw new NotSupportedException();
    }

    private sealed class PendingRead(long after)
    {
        private readonly TaskCompletionSource<LogPage> _page = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public long After => after;

        public Task<LogPage> Page => _page.Task;

        public void Answer(LogPage page) => _page.SetResult(page);

        public void Fail(Exception error) => _page.SetException(error);
    }
}
