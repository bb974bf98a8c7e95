using System.Threading.Channels;

namespace Herald.Server.Delivery;

/// <summary>
/// The in-memory fast path: deliveries of a message just committed, handed to the dispatcher at once.
/// Bounded, because publishers can outrun receivers: when it is full the delivery's lease is released and the
/// storage scan (which is the source of truth) picks it up instead.
/// </summary>
internal sealed class DeliveryQueue(Storage.IDeliveryStore store, TimeProvider time)
{
    private readonly Channel<DeliveryTask> _channel = Channel.CreateBounded<DeliveryTask>(new BoundedChannelOptions(10_000)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    /// <summary>
    /// The most deliveries of one message started on the publishing thread; the rest go through the queue, so a
    /// message to many endpoints does not hold its publisher's answer for all of their first sends.
    /// </summary>
    private const int StartedInline = 2;

    private Func<DeliveryTask, bool>? _startNow;
    private Func<string, bool>? _hasRoom;
    private volatile bool _closed;

    /// <summary>
    /// The dispatcher's way to take a delivery at once, when it has room: the attempt starts on the publishing thread
    /// instead of waking the queue's reader and then a pool thread — two thread hand-offs less between a commit and
    /// its webhook, which is most of the publish-to-receive time on a quiet server.
    /// </summary>
    public void Attach(Func<DeliveryTask, bool> startNow, Func<string, bool> hasRoom)
    {
        _startNow = startNow;
        _hasRoom = hasRoom;
    }

    /// <summary>
    /// The lease a publish gives the deliveries it hands over: only those whose endpoint has room on this node
    /// (<see cref="ClaimRoom.HasRoom"/>); the others stay in storage for the scan, which claims them in turn.
    /// </summary>
    public DeliveryLease ForPublish(DeliveryLease lease) => _hasRoom is { } hasRoom && !_closed ? lease with { Takes = hasRoom } : lease;

    /// <summary>
    /// The dispatcher drains (graceful stop): deliveries committed from now on are handed back to storage at once (the
    /// next start, or another node, sends them), not started or queued in memory.
    /// </summary>
    public void Close() => _closed = true;

    /// <summary>
    /// Hands just-committed (and leased) deliveries to the dispatcher; on overflow, gives them to the storage scan.
    /// <paramref name="cancellationToken"/> (the publisher's) is not observed: each committed delivery is started, queued
    /// or handed back whatever it says, so none waits for its lease to run out because a caller went away.
    /// </summary>
    public async Task EnqueueAsync(IEnumerable<DeliveryTask> deliveries, CancellationToken cancellationToken)
    {
        var inline = 0;
        foreach (var delivery in deliveries)
        {
            if (_closed)
            {
                await HandBackWhileStoppingAsync(delivery);
                continue;
            }

            if (inline < StartedInline && _startNow is { } startNow && startNow(delivery))
            {
                inline++;
                continue;
            }

            if (!_channel.Writer.TryWrite(delivery))
            {
                await store.ReleaseDeliveryAsync(delivery.Id, time.GetUtcNow(), CancellationToken.None);
            }
        }
    }

    public ChannelReader<DeliveryTask> Reader => _channel.Reader;

    private async Task HandBackWhileStoppingAsync(DeliveryTask delivery)
    {
        try
        {
            await store.ReleaseDeliveryAsync(delivery.Id, time.GetUtcNow(), CancellationToken.None);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The message is committed and the publisher gets its 202; the delivery's lease runs out (SQLite: it is
            // released at the next start) and it is sent then.
        }
    }
}
