using Herald.Server.Storage;
using Microsoft.Extensions.Options;

namespace Herald.Server.Common;

/// <summary>Turns a refused configuration, or storage that cannot be used, into one clear line instead of a stack trace.</summary>
internal static class StartupFailure
{
    /// <summary>
    /// The one line Program prints when the host fails: "Herald cannot start: …" with the cause and the setting to change
    /// (or "Herald stopped: …" for a failure after it started); unknown failures point to <c>--verbose</c>.
    /// </summary>
    public static string Describe(Exception exception, bool started, bool verbose)
    {
        var known = DescribeConfigurationError(exception) is { } configuration ? $"invalid configuration. {configuration}"
            : DescribeStorageError(exception) ?? DescribeListenError(exception);
        var problem = known
            ?? $"{StorageStartupException.Cause(exception).TrimEnd('.')} ({exception.GetType().Name}){(verbose ? "" : "; start with --verbose for the stack trace")}";
        return $"Herald {(started ? "stopped" : "cannot start")}: {problem}";
    }

    /// <summary>Kestrel could not listen: the address is taken, or not this machine's.</summary>
    public static string? DescribeListenError(Exception exception)
    {
        if (exception is not IOException { InnerException: { } inner } io || !io.Message.StartsWith("Failed to bind to address ", StringComparison.Ordinal))
        {
            return null;
        }

        // "Failed to bind to address http://127.0.0.1:8071: address already in use."
        var address = io.Message["Failed to bind to address ".Length..io.Message.LastIndexOf(':')];
        var cause = inner is Microsoft.AspNetCore.Connections.AddressInUseException
            ? "is already in use (another Herald, or another program, listens there)"
            : $"cannot be listened on ({StorageStartupException.Cause(inner).TrimEnd('.')})";
        return $"{address} {cause}. Stop that program, or listen elsewhere with --urls, ASPNETCORE_URLS or Kestrel:Endpoints";
    }

    public static string? DescribeConfigurationError(Exception exception) => exception switch
    {
        OptionsValidationException e => string.Join(" ", e.Failures),
        InvalidOperationException e when e.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal) => e.Message,
        _ => null,
    };

    /// <summary>
    /// Why storage cannot be used at start-up (<see cref="StorageStartupException"/>: the path or server and the cause),
    /// or null for other exceptions. A storage outage met after the migrations (e.g. writing the first admin token) is
    /// described without the path.
    /// </summary>
    public static string? DescribeStorageError(Exception exception) => exception switch
    {
        StorageStartupException e => e.Message,
        _ => StorageFailure.Classify(exception) switch
        {
            StorageFailureKind.Full => "the disk holding the database is full",
            StorageFailureKind.Unavailable => $"storage is unavailable ({StorageStartupException.Cause(exception)})",
            _ => null,
        },
    };
}
