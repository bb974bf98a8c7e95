namespace Herald.Server.Storage.Sqlite;

/// <summary>
/// How far each application's log is on disk. A group of writes is visible to readers from its commit, about one fsync
/// before its writes are reported durable (<see cref="WalSyncer"/>). For most reads that is harmless — nobody has been
/// told of those rows yet — but the pull log hands out positions: a consumer that read sequence 101 before a power
/// loss took it away would skip the message that gets 101 next. So the log is read only up to the last sequence
/// known durable, whenever a later one is committed but not yet synced. Applications not published to since the
/// start need no limit: everything read from disk at start is durable.
/// </summary>
internal sealed class SequenceHorizon
{
    private readonly Dictionary<string, (long Committed, long Durable)> _apps = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>Called by the writer with a publish's sequence, before its group commits.</summary>
    public void Committing(string applicationId, long sequence)
    {
        lock (_lock)
        {
            _apps[applicationId] = _apps.TryGetValue(applicationId, out var app)
                ? (Math.Max(app.Committed, sequence), app.Durable)
                : (sequence, sequence - 1); // Every earlier sequence was committed and synced before this one was taken.
        }
    }

    /// <summary>Called once the publish of <paramref name="sequence"/> is on disk.</summary>
    public void Durable(string applicationId, long sequence)
    {
        lock (_lock)
        {
            if (_apps.TryGetValue(applicationId, out var app))
            {
                _apps[applicationId] = (app.Committed, Math.Max(app.Durable, sequence));
            }
        }
    }

    /// <summary>The last sequence a reader may hand out, or null for no limit. Ask after the read's snapshot began.</summary>
    public long? Limit(string applicationId)
    {
        lock (_lock)
        {
            return _apps.TryGetValue(applicationId, out var app) && app.Committed > app.Durable ? app.Durable : null;
        }
    }
}
