namespace Herald.Server.Tests.Infrastructure;

/// <summary>
/// Tests that need a program from outside .NET (Node, bash, curl) skip with a visible reason when it is
/// missing on a developer's machine — but fail in CI (CI=true), where .ci/run installs everything and
/// nothing may be skipped.
/// </summary>
public static class Requirements
{
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static void Require(bool present, string reason)
    {
        if (present)
        {
            return;
        }

        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail($"Required in CI but missing: {reason}");
        }

        Skip.If(true, reason);
    }

    public static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, program))
            .FirstOrDefault(File.Exists);

    private static string FindRepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Herald.slnx")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Cannot find the repository root (Herald.slnx) above " + AppContext.BaseDirectory);
    }
}
