using System.Runtime.InteropServices;

namespace Herald.Server.Storage;

/// <summary>
/// Storage cannot be used at start-up (a full disk, a data directory that cannot be written, a database that is down).
/// The message is one sentence for an operator, naming the path or server and the cause; Program prints it instead of
/// a stack trace and exits with 1.
/// </summary>
internal sealed class StorageStartupException(string problem, Exception innerException) : Exception(problem, innerException)
{
    /// <summary>The operating system's words for a file error ("Permission denied", "Read-only file system"), else its message.</summary>
    public static string Cause(Exception e) => e switch
    {
        UnauthorizedAccessException => "Permission denied",
        DirectoryNotFoundException => "a part of the path is not a directory", // ENOTDIR: Directory.CreateDirectory makes missing parents
        // On Unix an IOException's HResult is the errno of the failed call.
        IOException { HResult: > 0 and < 4096 } io when !OperatingSystem.IsWindows() => Marshal.GetPInvokeErrorMessage(io.HResult),
        _ => Innermost(e).Message,
    };

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is { } inner)
        {
            e = inner;
        }

        return e;
    }
}
