using System.Text.RegularExpressions;

namespace Herald.Server.Tests.Infrastructure;

/// <summary>
/// A folder of a test class's own under the temp folder (a data directory for <see cref="HeraldProcess"/>), deleted
/// with the class; it converts to its path, so it goes wherever a directory string does.
/// </summary>
public sealed class TempDirectory(string prefix) : IDisposable
{
    public string FullName { get; } = Directory.CreateTempSubdirectory(prefix).FullName;

    public static implicit operator string(TempDirectory directory) => directory.FullName;

    public override string ToString() => FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(FullName, recursive: true);
        }
        catch (IOException)
        {
            // Left behind in the temp folder (a process still held a file): harmless.
        }
    }
}

/// <summary>What Herald's generated admin tokens look like, to find one in a process's output.</summary>
public static partial class AdminTokens
{
    [GeneratedRegex("herald_sk_[A-Za-z0-9_-]{43}")]
    public static partial Regex Pattern();
}
