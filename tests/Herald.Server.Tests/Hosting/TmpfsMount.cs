using System.Diagnostics;

namespace Herald.Server.Tests.Hosting;

/// <summary>
/// A small tmpfs mounted on a fresh temp folder, to give Herald a disk that can be filled or made read-only for real.
/// Mounting needs root: tests skip with a visible reason otherwise (CI runs as root). Unmounted on dispose.
/// </summary>
internal sealed class TmpfsMount : IDisposable
{
    private TmpfsMount(string path) => Path = path;

    public string Path { get; }

    public static string? SkipReason { get; } =
        Environment.UserName == "root" && OperatingSystem.IsLinux() ? null : "mounting a tmpfs needs root on Linux (CI runs the tests as root)";

    /// <summary>Mounts a tmpfs of <paramref name="size"/> (e.g. "2m"); read-only when <paramref name="readOnly"/>.</summary>
    public static TmpfsMount Create(string size = "2m", bool readOnly = false)
    {
        var path = Directory.CreateTempSubdirectory("herald-tmpfs").FullName;
        Run("mount", "-t", "tmpfs", "-o", $"size={size}{(readOnly ? ",ro" : "")}", "tmpfs", path);
        return new TmpfsMount(path);
    }

    /// <summary>Writes a file until the tmpfs has no space left; returns its path (delete it to free the space).</summary>
    public string Fill()
    {
        var filler = System.IO.Path.Combine(Path, "filler");
        using var stream = new FileStream(filler, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0);
        var block = new byte[4096];
        try
        {
            while (true)
            {
                stream.Write(block);
            }
        }
        catch (IOException)
        {
            // ENOSPC: full.
        }

        return filler;
    }

    public void Dispose()
    {
        // Lazy: a Herald process that was just killed may still hold a file open for a moment.
        Run("umount", "-l", Path);
        Directory.Delete(Path);
    }

    private static void Run(string program, params string[] arguments)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Cannot start {program}.");
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}: {error}");
        }
    }
}
