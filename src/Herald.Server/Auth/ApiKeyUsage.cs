using System.Collections.Concurrent;
using Herald.Server.Storage;
using Herald.Server.Diagnostics;

namespace Herald.Server.Auth;

/// <summary>
/// Keeps an API key's <c>lastUsedAt</c> to within <see cref="Resolution"/> without a write per request: a node writes
/// it when the stored value (as the request's lookup read it) and its own last write are both older than that. So a
/// busy key costs each node one write a minute; the list shows the time of a request in the last minute of use.
/// </summary>
internal sealed partial class ApiKeyUsage(IApiKeyStore store, ILogger<ApiKeyUsage> logger)
{
    public static readonly TimeSpan Resolution = TimeSpan.FromMinutes(1);

    /// <summary>Past this many keys the memory starts over (one extra write per key): a bound whatever the key count.</summary>
    private const int MaxEntries = 10_000;

    private readonly ConcurrentDictionary<string, DateTimeOffset> _written = new(StringComparer.Ordinal);

    public async Task RecordAsync(ApiToken key, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if ((key.LastUsedAt is { } stored && now - stored < Resolution)
            || (_written.TryGetValue(key.Id, out var written) && now - written < Resolution))
        {
            return;
        }

        if (_written.Count >= MaxEntries)
        {
            _written.Clear();
        }

        _written[key.Id] = now;
        try
        {
            await store.TouchApiKeyAsync(key.Id, now, cancellationToken);
        }
        catch (Exception e) when (StorageFailure.Classify(e) is not null)
        {
            // Bookkeeping only: the request it would fail is authenticated already.
            LogTouchFailed(logger, key.Id);
        }
    }

    [LoggerMessage(EventId = EventIds.ApiKeyTouchFailed, Level = LogLevel.Warning, Message = "Could not record the use of API key {KeyId}: storage is unavailable")]
    private static partial void LogTouchFailed(ILogger logger, string keyId);
}
