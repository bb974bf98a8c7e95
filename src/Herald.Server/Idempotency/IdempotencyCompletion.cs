using System.Threading.Channels;
using Herald.Server.Storage;
using Herald.Server.Diagnostics;

namespace Herald.Server.Idempotency;

/// <summary>
/// Finishes idempotency records whose request already took effect but whose response could not be saved because
/// storage failed right after (the message is stored; only the key's record is missing). The client is given the real
/// answer, and the record is saved here as soon as storage answers again, so a retry with the same key replays that
/// answer instead of waiting behind a claim that never completes. Retries back off from 100 ms to 5 s and stop when the
/// key's lifetime has passed.
/// </summary>
internal sealed partial class IdempotencyCompletion(IIdempotencyStore store, TimeProvider time, ILogger<IdempotencyCompletion> logger) : BackgroundService
{
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);

    // Bounded: during a long outage at most this many answers wait here; beyond it a key stays claimed until it
    // expires (a retry then gets 409 idempotency_request_in_progress, never a second message).
    private readonly Channel<IdempotencyRecord> _pending = Channel.CreateBounded<IdempotencyRecord>(
        new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    /// <summary>Saves <paramref name="record"/> later; false when too many are already waiting.</summary>
    public bool Defer(IdempotencyRecord record)
    {
        var accepted = _pending.Writer.TryWrite(record);
        if (!accepted)
        {
            LogDropped(logger, record.Key.Length);
        }

        return accepted;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var record in _pending.Reader.ReadAllAsync(stoppingToken))
        {
            var backoff = FirstBackoff;
            while (time.GetUtcNow() - record.CreatedAt < IdempotencyMiddleware.Lifetime)
            {
                try
                {
                    await store.CompleteIdempotentRequestAsync(record, stoppingToken);
                    break;
                }
                catch (Exception e) when (e is not OperationCanceledException && StorageFailure.Classify(e) is not null)
                {
                    await Task.Delay(backoff, time, stoppingToken);
                    backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
                }
            }
        }
    }

    [LoggerMessage(EventId = EventIds.IdempotentAnswerDropped, Level = LogLevel.Warning, Message = "Too many idempotent answers wait for storage; one key of length {KeyLength} stays claimed until it expires")]
    private static partial void LogDropped(ILogger logger, int keyLength);
}
