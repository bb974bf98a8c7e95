namespace Herald.Server.Storage;

/// <summary>
/// One Herald process per SQLite data directory: <c>herald.lock</c> in it, held open with an exclusive OS lock
/// (<c>flock</c> on Unix, a sharing lock on Windows) from before the database is opened until the process begins to
/// stop. A second process on the same directory is refused at start-up with one line naming it; the OS drops the lock
/// when a process dies, so a crash never leaves a stale lock behind. (Two processes would each run a dispatcher and
/// send every webhook twice, and the single in-process writer would be single no more.)
/// </summary>
internal sealed class DataDirectoryLock : IDisposable
{
    public const string FileName = "herald.lock";

    private readonly FileStream? _file;

    private DataDirectoryLock(FileStream? file) => _file = file;

    /// <summary>Takes the lock of <paramref name="directory"/> (made already).</summary>
    /// <exception cref="StorageStartupException">Another process holds it.</exception>
    public static DataDirectoryLock Acquire(string directory)
    {
        var path = Path.Combine(directory, FileName);
        var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = DataDirectory.FileMode;
        }

        try
        {
            return new DataDirectoryLock(new FileStream(path, options));
        }
        catch (IOException e) when (HeldElsewhere(e))
        {
            throw new StorageStartupException(
                $"another Herald process is using the data directory {directory} (it holds {path}). Stop that process, or give this one "
                + "another folder with Herald:Storage:DataDirectory", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The folder cannot be written (e.g. a read-only file system): opening the database fails next, and its
            // start-up check says why in one line. Nothing can be written there, so there is nothing to guard.
            return new DataDirectoryLock(null);
        }
    }

    /// <summary>EWOULDBLOCK from <c>flock</c> (11 on Linux, 35 on macOS), or a sharing or lock violation on Windows.</summary>
    private static bool HeldElsewhere(IOException e) => OperatingSystem.IsWindows()
        ? (e.HResult & 0xFFFF) is 32 or 33
        : e.HResult is 11 or 35;

    public void Dispose() => _file?.Dispose();
}
