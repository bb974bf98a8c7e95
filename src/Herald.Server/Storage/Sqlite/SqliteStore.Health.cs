using Dapper;

namespace Herald.Server.Storage.Sqlite;

internal sealed partial class SqliteStore
{
    private const int Enospc = 28;
    private const long MinFreeBytesCap = 16L * 1024 * 1024;

    // Through the single writer like every write, so a probe also fails when the writer cannot commit or sync.
    public async Task ProbeWriteAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        ThrowIfDiskNearlyFull();
        await WriteAsync((c, t) => c.ExecuteAsync(
            "INSERT INTO health_probe (id, probed_at) VALUES (1, @now) ON CONFLICT (id) DO UPDATE SET probed_at = excluded.probed_at",
            new { now = Ms(now) }, t), cancellationToken);
    }

    /// <summary>
    /// On a full disk a one-row probe can still succeed in pages SQLite already owns (a WAL that restarted after a
    /// checkpoint) while every publish, which needs new pages, fails with SQLITE_FULL: so the probe also fails while
    /// less than 1 % of the filesystem (at most 16 MiB) is left, the point where publishes start failing.
    /// </summary>
    private void ThrowIfDiskNearlyFull()
    {
        var directory = Path.GetDirectoryName(DatabasePath);
        if (string.IsNullOrEmpty(directory) || DatabasePath.Contains(":memory:", StringComparison.Ordinal))
        {
            return;
        }

        var drive = new DriveInfo(directory);
        var needed = Math.Min(MinFreeBytesCap, drive.TotalSize / 100);
        if (drive.AvailableFreeSpace < needed)
        {
            throw new IOException($"The disk holding {DatabasePath} has {drive.AvailableFreeSpace} bytes left.", Enospc);
        }
    }
}
