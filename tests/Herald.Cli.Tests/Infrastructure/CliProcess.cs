using System.Diagnostics;
using System.Text;

namespace Herald.Cli.Tests.Infrastructure;

/// <summary>A .NET program run as a real process (<c>dotnet some.dll args</c>), its stdout and stderr captured line by line.</summary>
public sealed class CliProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly Lock _lock = new();

    private CliProcess(Process process) => _process = process;

    public string Output
    {
        get
        {
            lock (_lock)
            {
                return _output.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>The output's lines, in order.</summary>
    public IReadOnlyList<string> Lines => Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.TrimEnd('\r')).ToList();

    /// <summary>Runs <c>dotnet herald.dll args</c> from the test's output folder.</summary>
    public static CliProcess StartHerald(IEnumerable<string> args, IReadOnlyDictionary<string, string?>? environment = null) =>
        Start(Path.Combine(AppContext.BaseDirectory, "herald.dll"), args, environment);

    /// <remarks>
    /// Through <c>env --default-signal=INT</c> (which execs, so the PID is the CLI's): a test run started in the
    /// background of a non-interactive shell (as CI may be) inherits SIGINT ignored, the runtime keeps it ignored, and
    /// <see cref="InterruptAsync"/> would then not reach the CLI, as Ctrl+C does not reach a background job.
    /// </remarks>
    public static CliProcess Start(string dll, IEnumerable<string> args, IReadOnlyDictionary<string, string?>? environment = null) =>
        StartProgram("env", ["--default-signal=INT", "dotnet", dll, .. args], environment);

    /// <summary>
    /// Runs <c>dotnet herald.dll args</c> on a pseudo-terminal (util-linux <c>script</c>), so its stdout is a terminal
    /// as in an interactive shell; what it printed, escape codes included, is this process's output.
    /// </summary>
    public static CliProcess StartHeraldInTerminal(IEnumerable<string> args, IReadOnlyDictionary<string, string?>? environment = null)
    {
        static string Quote(string arg) => "'" + arg.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
        var command = string.Join(' ', ((string[])["dotnet", Path.Combine(AppContext.BaseDirectory, "herald.dll"), .. args]).Select(Quote));
        return StartProgram("script", ["-qec", command, "/dev/null"], environment);
    }

    private static CliProcess StartProgram(string program, IEnumerable<string> args, IReadOnlyDictionary<string, string?>? environment)
    {
        var info = new ProcessStartInfo(program)
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                info.Environment.Remove(key);
            }
            else
            {
                info.Environment[key] = value;
            }
        }

        var process = new Process { StartInfo = info };
        var cli = new CliProcess(process);
        process.OutputDataReceived += (_, e) => cli.Append(e.Data);
        process.ErrorDataReceived += (_, e) => cli.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return cli;
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_lock)
            {
                _output.AppendLine(line);
            }
        }
    }

    /// <summary>Waits until the output contains <paramref name="text"/>; fails with the output so far after 60 s.</summary>
    public async Task WaitForOutputAsync(string text)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > deadline || _process.HasExited)
            {
                throw new TimeoutException($"Expected output '{text}'; the process {(_process.HasExited ? "exited" : "printed")}:\n{Output}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Sends SIGINT, as Ctrl+C in a terminal does, and waits (up to 60 s) for the process to exit.</summary>
    public async Task InterruptAsync()
    {
        using (var kill = Process.Start("kill", ["-s", "INT", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await _process.WaitForExitAsync(timeout.Token);
    }

    /// <summary>Waits (up to 60 s) for the process to exit by itself.</summary>
    public async Task WaitForExitAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await _process.WaitForExitAsync(timeout.Token);
    }

    /// <summary>Kills the process at once (SIGKILL), as a crash or a closed terminal would.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }
}
