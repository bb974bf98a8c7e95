using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Herald.Server.Tests.Infrastructure;

/// <summary>
/// Herald as a user runs it: a separate <c>dotnet Herald.Server.dll</c> process on a free loopback port,
/// with a data directory of the test's choosing. Output is captured so tests can read what a user sees.
/// </summary>
public sealed class HeraldProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly Lock _outputLock = new();

    private HeraldProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public string Output
    {
        get
        {
            lock (_outputLock)
            {
                return _output.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    /// <summary>The operating-system process id (e.g. to send it a signal).</summary>
    public int ProcessId => _process.Id;

    /// <param name="dataDirectory">Herald__Storage__DataDirectory.</param>
    /// <param name="environment">More environment variables (settings).</param>
    /// <param name="waitUntilHealthy">Return once /api/v1/health answers 200 (false: at once, e.g. to see it refuse to start).</param>
    /// <param name="appDirectory">Where Herald.Server.dll is started from; the test's own output directory by default.</param>
    /// <param name="workingDirectory">The process' working directory; the app directory by default.</param>
    /// <param name="port">The loopback HTTP port (a free one by default), e.g. to repeat it in Kestrel:Endpoints.</param>
    /// <param name="arguments">More command-line arguments, e.g. <c>--dev</c>.</param>
    public static async Task<HeraldProcess> StartAsync(
        string dataDirectory, IReadOnlyDictionary<string, string>? environment = null, bool waitUntilHealthy = true,
        string? appDirectory = null, string? workingDirectory = null, int? port = null, IReadOnlyList<string>? arguments = null)
    {
        var httpPort = port ?? FreePort();
        appDirectory ??= AppContext.BaseDirectory;
        var serverDll = Path.Combine(appDirectory, "Herald.Server.dll");
        var info = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { serverDll, "--urls", $"http://127.0.0.1:{httpPort}" },
            WorkingDirectory = workingDirectory ?? appDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments ?? [])
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["Herald__Storage__DataDirectory"] = dataDirectory;
        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        info.Environment.Remove("ASPNETCORE_URLS");
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var herald = new HeraldProcess(process, new Uri($"http://127.0.0.1:{httpPort}"));
        process.OutputDataReceived += (_, e) => herald.Append(e.Data);
        process.ErrorDataReceived += (_, e) => herald.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (waitUntilHealthy)
        {
            await herald.WaitUntilHealthyAsync();
        }

        return herald;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_outputLock)
        {
            _output.AppendLine(line);
        }
    }

    public HttpClient CreateClient(string? token = null)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    private async Task WaitUntilHealthyAsync()
    {
        using var client = CreateClient();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"Herald exited with code {_process.ExitCode}:\n{Output}");
            }

            try
            {
                if ((await client.GetAsync("/api/v1/health")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"Herald did not become healthy within 60 s:\n{Output}");
    }

    /// <summary>Waits for the process to exit by itself (e.g. refused configuration); returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    /// <summary>Kills the process without any graceful shutdown (SIGKILL on Linux), as a crash or power cut would.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    /// <summary>A loopback port nothing listens on at the moment.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
