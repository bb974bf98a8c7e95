using Herald.Server.Diagnostics;

namespace Herald.Server.Storage;

/// <summary>
/// Keeps the data directory private to Herald's user on Unix: the folder 0700 and its files (database, WAL, shared
/// memory, main key) 0600, whatever the umask; existing folders and files are tightened at every start. Windows keeps
/// the folder's inherited ACL.
/// </summary>
internal static partial class DataDirectory
{
    public const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Creates <paramref name="directory"/> (0700) when missing, or tightens it to 0700; returns its full path.</summary>
    /// <exception cref="StorageStartupException">The directory cannot be created.</exception>
    public static string EnsurePrivate(string directory, ILogger logger)
    {
        var path = Path.GetFullPath(directory);
        try
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(path);
                return path;
            }

            Directory.CreateDirectory(path, FolderMode);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Sqlite.SqliteStartupCheck.DirectoryFailed(path, e);
        }

        Restrict(path, FolderMode, logger);
        return path;
    }

    /// <summary>Tightens an existing file to 0600 (nothing when it does not exist).</summary>
    public static void RestrictFile(string path, ILogger logger)
    {
        if (!OperatingSystem.IsWindows() && File.Exists(path))
        {
            Restrict(path, FileMode, logger);
        }
    }

    /// <summary>
    /// Creates an empty file with mode 0600 when missing, so that what is later written into it was never readable by
    /// others. When that fails, SQLite's own open fails next and the start-up check says why.
    /// </summary>
    public static void CreatePrivateFile(string path)
    {
        try
        {
            if (!File.Exists(path))
            {
                TryCreatePrivateFile(path, []);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Reported by the migration's start-up check, with the likeliest cause.
        }
    }

    /// <summary>Creates a file (0600 on Unix) holding <paramref name="content"/>, flushed to disk; false when it exists already.</summary>
    public static bool TryCreatePrivateFile(string path, ReadOnlySpan<byte> content)
    {
        var options = new FileStreamOptions { Mode = System.IO.FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = FileMode;
        }

        FileStream file;
        try
        {
            file = new FileStream(path, options);
        }
        catch (IOException) when (File.Exists(path))
        {
            // Made meanwhile by another start: it is used (and tightened) like any existing file.
            return false;
        }

        try
        {
            using (file)
            {
                file.Write(content);
                file.Flush(flushToDisk: true);
            }

            return true;
        }
        catch (IOException)
        {
            File.Delete(path); // A half-written file (e.g. a full disk) would pass for a made one at the next start.
            throw;
        }
    }

    private static void Restrict(string path, UnixFileMode mode, ILogger logger)
    {
        if (OperatingSystem.IsWindows() || File.GetUnixFileMode(path) == mode)
        {
            return;
        }

        try
        {
            File.SetUnixFileMode(path, mode);
        }
        catch (UnauthorizedAccessException)
        {
            // Owned by another user (e.g. a volume mounted as root): Herald can still work there, so it says so and goes on.
            LogCannotRestrict(logger, path, Convert.ToString((int)mode, 8));
        }
        catch (IOException)
        {
            // A read-only file system: nothing there can be written either, which the start-up check reports in one line.
        }
    }

    [LoggerMessage(EventId = EventIds.DataDirectoryNotRestricted, Level = LogLevel.Warning,
        Message = "Cannot set mode {Mode} on {Path} (not its owner): other users of this machine may read it. Make Herald's user its owner.")]
    private static partial void LogCannotRestrict(ILogger logger, string path, string mode);
}
