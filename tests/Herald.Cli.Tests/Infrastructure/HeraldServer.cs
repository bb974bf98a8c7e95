using System.Net.Sockets;
using Herald.Client;

namespace Herald.Cli.Tests.Infrastructure;

/// <summary>
/// Herald as a user runs it: <c>dotnet Herald.Server.dll</c> on a free loopback port, with its own data directory and a
/// preset admin token. One per test class (<see cref="IClassFixture{TFixture}"/>); tests keep apart by using their own applications.
/// </summary>
public sealed class HeraldServer : IAsyncLifetime
{
    public const string AdminToken = "herald-cli-tests-admin-token-0123456789";

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "herald-cli-tests-" + Guid.NewGuid().ToString("N"));
    private CliProcess? _process;

    public Uri BaseAddress { get; private set; } = null!;

    public HeraldClient CreateClient() => new(new HeraldClientOptions { ServerUrl = BaseAddress, Token = AdminToken });

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dataDirectory);
        var port = FreePort();
        BaseAddress = new Uri($"http://127.0.0.1:{port}");
        _process = CliProcess.Start(
            Path.Combine(AppContext.BaseDirectory, "Herald.Server.dll"),
            ["--urls", BaseAddress.ToString()],
            new Dictionary<string, string?>
            {
                ["Herald__Storage__DataDirectory"] = _dataDirectory,
                ["Herald__Auth__AdminToken"] = AdminToken,
                // Receivers in these tests are on loopback, which Herald refuses unless allowed.
                ["Herald__Delivery__AllowedNetworks__0"] = "127.0.0.0/8",
                ["DOTNET_ENVIRONMENT"] = "Production",
                ["ASPNETCORE_URLS"] = null,
            });
        using var client = CreateClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"Herald exited:\n{_process.Output}");
            }

            try
            {
                await client.Health.GetAsync(timeout.Token);
                return;
            }
            catch (HttpRequestException)
            {
                await Task.Delay(100, timeout.Token);
            }
        }
    }

    public async Task DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }

        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp directory.
        }
    }

    /// <summary>A loopback port nothing listens on (free a moment ago): connecting to it is refused.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
