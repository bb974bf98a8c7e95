using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Herald.Bench.Reporting;

/// <summary>Where a run happened: the machine, its load when the run started, and the code that was measured.</summary>
internal sealed record MachineInfo(
    int Cores, double MemoryGiB, string Cpu, string Os, string Runtime, string? LoadAverage, string GitCommit, string? GitBranch, bool GitDirty)
{
    public static MachineInfo Read(string repositoryRoot) => new(
        Environment.ProcessorCount,
        Math.Round(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024), 1),
        CpuModel(),
        RuntimeInformation.OSDescription,
        RuntimeInformation.FrameworkDescription,
        LoadAverageNow(),
        Git(repositoryRoot, "rev-parse HEAD") ?? "unknown",
        Git(repositoryRoot, "rev-parse --abbrev-ref HEAD"),
        Git(repositoryRoot, "status --porcelain --untracked-files=no") is { Length: > 0 });

    /// <summary>The 1, 5 and 15 minute load averages: on a shared machine, a reader needs to know how busy it was.</summary>
    public static string? LoadAverageNow()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static string CpuModel()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line?[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim() ?? RuntimeInformation.ProcessArchitecture.ToString();
        }
        catch (IOException)
        {
            return RuntimeInformation.ProcessArchitecture.ToString();
        }
    }

    private static string? Git(string directory, string arguments)
    {
        try
        {
            var start = new ProcessStartInfo("git", arguments)
            {
                WorkingDirectory = directory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            using var git = Process.Start(start);
            if (git is null)
            {
                return null;
            }

            var output = git.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit();
            return git.ExitCode == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // No git on this machine.
        }
    }

    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{Cores} cores ({Cpu}), {MemoryGiB} GiB, {Os}, {Runtime}; load average at start {LoadAverage ?? "n/a"}; commit {GitCommit[..Math.Min(10, GitCommit.Length)]}{(GitDirty ? " (with uncommitted changes)" : "")}");
}
