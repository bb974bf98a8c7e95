namespace Herald.Cli;

/// <summary>The command line was well-formed but says something unusable (bad JSON, a missing file); exits with 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
