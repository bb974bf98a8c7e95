using Microsoft.Extensions.Options;

namespace Herald.Server.Api;

/// <summary>Turns a refused configuration into one clear line instead of a stack trace.</summary>
internal static class StartupFailure
{
    public static string? DescribeConfigurationError(Exception exception) => exception switch
    {
        OptionsValidationException e => string.Join(" ", e.Failures),
        InvalidOperationException e when e.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal) => e.Message,
        _ => null,
    };
}
