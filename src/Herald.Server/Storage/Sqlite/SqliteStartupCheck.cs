namespace Herald.Server.Storage.Sqlite;

/// <summary>Says in one sentence why the SQLite database could not be opened or migrated at start-up.</summary>
internal static class SqliteStartupCheck
{
    public static StorageStartupException DirectoryFailed(string directory, Exception e) =>
        new($"the data directory {directory} cannot be created ({StorageStartupException.Cause(e)})", e);

    /// <summary>The likeliest cause of <paramref name="e"/>: a full disk, a directory or file that cannot be written, else SQLite's words.</summary>
    public static StorageStartupException MigrationFailed(string databasePath, Exception e)
    {
        var directory = Path.GetDirectoryName(databasePath)!;
        if (StorageFailure.Classify(e) == StorageFailureKind.Full || NoSpaceLeft(directory))
        {
            return new($"the disk holding {databasePath} is full", e);
        }

        if (WriteFails(Path.Combine(directory, ".herald-write-test")) is { } directoryProblem)
        {
            return new($"the data directory {directory} is not writable ({StorageStartupException.Cause(directoryProblem)})", e);
        }

        if (File.Exists(databasePath) && WriteFails(databasePath, create: false) is { } fileProblem)
        {
            return new($"the database {databasePath} is not writable ({StorageStartupException.Cause(fileProblem)})", e);
        }

        return new($"the database {databasePath} cannot be opened or written ({StorageStartupException.Cause(e)})", e);
    }

    private static bool NoSpaceLeft(string directory)
    {
        try
        {
            return new DriveInfo(directory).AvailableFreeSpace == 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return false;
        }
    }

    /// <summary>Opens <paramref name="path"/> for writing (creating and deleting it when <paramref name="create"/>); the error, or null.</summary>
    private static Exception? WriteFails(string path, bool create = true)
    {
        try
        {
            using (new FileStream(path, create ? FileMode.CreateNew : FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete))
            {
            }

            if (create)
            {
                File.Delete(path);
            }

            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return e;
        }
    }
}
