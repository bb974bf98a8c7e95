using Microsoft.Extensions.Options;
using Herald.Server.Diagnostics;

namespace Herald.Server.Api;

/// <summary>
/// Bounds the content (message payloads, attempt response bodies) that pages hold in memory at once, server-wide. A
/// page holds up to <see cref="ApiOptions.PageByteBudget"/> until its answer is written, which takes as long as its
/// client takes to read it: without a bound, N slow readers would pin N × budget. The gate has
/// <see cref="ApiOptions.MaxContentBytesInFlight"/> / budget slots; a page with content takes one before it is read
/// and gives it back once it is written. When all are taken the next page waits (its client sees a slower answer)
/// rather than the process growing. Pages without content, long-polls while they wait, and health checks never
/// take a slot.
/// </summary>
internal sealed partial class ContentGate(IOptions<ApiOptions> options, ILogger<ContentGate> logger)
{
    private readonly SemaphoreSlim _slots = new(SlotsOf(options.Value));

    /// <summary>The bytes of content one page may hold (<see cref="ApiOptions.PageByteBudget"/>).</summary>
    public long PageByteBudget => options.Value.PageByteBudget;

    public static int SlotsOf(ApiOptions options) => (int)Math.Clamp(options.MaxContentBytesInFlight / options.PageByteBudget, 1, 1 << 20);

    /// <summary>Takes a slot (waiting for one if need be); disposing the result gives it back.</summary>
    public async Task<IDisposable> EnterAsync(CancellationToken cancellationToken)
    {
        if (!_slots.Wait(0, CancellationToken.None)) // A try without waiting: the token is for the wait below.
        {
            LogWaiting(logger, SlotsOf(options.Value));
            await _slots.WaitAsync(cancellationToken);
        }

        return new Slot(_slots);
    }

    /// <summary>Takes a slot for the answer of <paramref name="context"/>, given back when the request ends (its body written).</summary>
    public async Task HoldForAnswerAsync(HttpContext context) =>
        context.Response.RegisterForDispose(await EnterAsync(context.RequestAborted));

    private sealed class Slot(SemaphoreSlim slots) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                slots.Release();
            }
        }
    }

    [LoggerMessage(EventId = EventIds.ContentGateWaiting, Level = LogLevel.Debug,
        Message = "A page with content waits: all {Slots} slots of Herald:Api:MaxContentBytesInFlight are held by answers still being written")]
    private static partial void LogWaiting(ILogger logger, int slots);
}
