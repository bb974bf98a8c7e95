using System.Collections.Concurrent;
using System.Diagnostics;

namespace Herald.Bench.Harness;

/// <summary>
/// One Herald server as a separate process: <c>dotnet Herald.Server.dll --urls http://127.0.0.1:{free port}</c>, run
/// from the server's own folder (so its appsettings.json applies), with the environment the cluster gives it.
/// </summary>
internal sealed class HeraldProcess : IAsyncDisposable
{
    private const int OutputLines = 200;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private HeraldProcess(Process process, Uri baseUrl)
    {
        _process = process;
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; }

    public int Id => _process.Id;

    /// <summary>The last lines the server wrote (stdout and stderr), for error messages.</summary>
    public string RecentOutput => string.Join(Environment.NewLine, _output);

    /// <summary>
    /// Starts <c>dotnet {serverAssembly} {arguments} --urls …</c> and waits until <c>/api/v1/health</c> answers; the bounds
    /// scenario starts its bare server this way too (the benchmark's own assembly, argument <c>bare-server</c>).
    /// </summary>
    public static async Task<HeraldProcess> StartAsync(
        string serverAssembly, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken, IReadOnlyList<string>? arguments = null)
    {
        var baseUrl = new Uri($"http://127.0.0.1:{FreePort.Next()}");
        var start = new ProcessStartInfo(DotnetHost())
        {
            WorkingDirectory = Path.GetDirectoryName(serverAssembly)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(serverAssembly);
        foreach (var argument in arguments ?? [])
        {
            start.ArgumentList.Add(argument);
        }

        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(baseUrl.AbsoluteUri.TrimEnd('/'));
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start dotnet.");
        var herald = new HeraldProcess(process, baseUrl);
        process.OutputDataReceived += (_, e) => herald.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => herald.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await herald.WaitUntilHealthyAsync(cancellationToken);
        }
        catch
        {
            await herald.DisposeAsync();
            throw;
        }

        return herald;
    }

    public ProcessMemory? ReadMemory() => _process.HasExited ? null : ProcessMemory.Read(_process.Id);

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        while (_output.Count > OutputLines && _output.TryDequeue(out _))
        {
        }
    }

    private async Task WaitUntilHealthyAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var health = new Uri(BaseUrl, "/api/v1/health");
        var deadline = BenchClock.After(BenchClock.Now, StartTimeout);
        while (true)
        {
            if (_process.HasExited)
            {
                await _process.WaitForExitAsync(cancellationToken); // Flushes the redirected output.
                throw new InvalidOperationException($"Herald exited during start-up (exit code {_process.ExitCode}). Its output:{Environment.NewLine}{RecentOutput}");
            }

            try
            {
                using var response = await http.GetAsync(health, cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Slow to answer while starting.
            }

            if (BenchClock.Now > deadline)
            {
                throw new TimeoutException($"Herald did not become healthy within {StartTimeout.TotalSeconds:0} s. Its output:{Environment.NewLine}{RecentOutput}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
        }
    }

    /// <summary>The dotnet host: the one running the SDK when there is one, else <c>$DOTNET_ROOT/dotnet</c>, else from PATH.</summary>
    private static string DotnetHost()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host))
        {
            return host;
        }

        if (Environment.GetEnvironmentVariable("DOTNET_ROOT") is { Length: > 0 } root && File.Exists(Path.Combine(root, "dotnet")))
        {
            return Path.Combine(root, "dotnet");
        }

        return "dotnet";
    }

    public async ValueTask DisposeAsync()
    {
        // The data directory is thrown away, so there is nothing a graceful stop would save.
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
