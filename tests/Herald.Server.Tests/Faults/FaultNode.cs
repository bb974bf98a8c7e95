using System.Globalization;
using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.Faults;

/// <summary>
/// One Herald installation under fault injection: a real process on a fixed data directory (or database) that the test
/// kills, stops and starts again. <see cref="Client"/> always points at the current process (a new port per start); a
/// client of a dead process stays usable and gets "connection refused", as a publisher would.
/// </summary>
public sealed class FaultNode(string dataDirectory, IReadOnlyDictionary<string, string> environment) : IAsyncDisposable
{
    public const string Token = "herald_sk_fault_suite_token_0123456789abcdefgh";

    private readonly List<HttpClient> _clients = [];
    private readonly System.Text.StringBuilder _earlierOutput = new();
    private HeraldProcess? _process;
    private HttpClient? _client;

    /// <summary>The settings every fault run shares: the admin token and permission to deliver to loopback receivers.</summary>
    public static Dictionary<string, string> BaseEnvironment(IReadOnlyDictionary<string, string>? extra = null)
    {
        var environment = new Dictionary<string, string>
        {
            ["Herald__Auth__AdminToken"] = Token,
            ["Herald__Delivery__AllowedNetworks__0"] = "127.0.0.0/8",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        return environment;
    }

    public HttpClient Client => Volatile.Read(ref _client) ?? throw new InvalidOperationException("Herald was never started.");

    public HeraldProcess Process => _process ?? throw new InvalidOperationException("Herald was never started.");

    /// <summary>Everything every process of this node wrote, in order.</summary>
    public string Output => _earlierOutput + (_process?.Output ?? "");

    public int Starts { get; private set; }

    public async Task StartAsync()
    {
        if (_process is { } previous)
        {
            _earlierOutput.Append(previous.Output);
            await previous.DisposeAsync();
        }

        _process = await HeraldProcess.StartAsync(dataDirectory, environment);
        var client = _process.CreateClient(Token);
        client.Timeout = TimeSpan.FromSeconds(20);
        _clients.Add(client);
        Volatile.Write(ref _client, client);
        Starts++;
    }

    /// <summary>SIGKILL: no shutdown code runs, as in a crash or power cut.</summary>
    public Task KillAsync() => Process.KillAsync();

    /// <summary>SIGTERM, then waits for the process to exit by itself; returns its exit code.</summary>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        var (code, output) = await ExternalCommand.RunAsync(
            "/bin/kill", ["-TERM", Process.ProcessId.ToString(CultureInfo.InvariantCulture)], Path.GetTempPath(),
            new Dictionary<string, string>(), TimeSpan.FromSeconds(10));
        Assert.True(code == 0, output);
        return await Process.WaitForExitAsync(timeout);
    }

    /// <summary>Lines Herald logged at error level or above (console logger: <c>fail:</c>, <c>crit:</c>), and unhandled exceptions.</summary>
    public IReadOnlyList<string> ErrorLines() =>
        [.. Output.Split('\n').Where(line => line.StartsWith("fail:", StringComparison.Ordinal) || line.StartsWith("crit:", StringComparison.Ordinal)
            || line.Contains("Unhandled exception", StringComparison.Ordinal))];

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }

        foreach (var client in _clients)
        {
            client.Dispose();
        }
    }
}
