using Herald.Server.Storage;
using Microsoft.Extensions.Options;

namespace Herald.Server.Api;

/// <summary>Turns a refused configuration, or storage that cannot be used, into one clear line instead of a stack trace.</summary>
internal static class StartupFailure
{
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
