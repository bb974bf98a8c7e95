using System.Diagnostics;
using System.Net.Sockets;
using Npgsql;

namespace Herald.Server.Tests.Faults;

/// <summary>
/// A PostgreSQL server of the test's own (not the shared one of <see cref="Infrastructure.PostgresTestServer"/>, which
/// other tests use): <c>initdb</c> in a temp folder, on a fixed loopback port, so that it can be stopped and started
/// again under a running Herald. Run as the <c>postgres</c> account when the tests run as root (initdb refuses root).
/// A watchdog stops it and deletes its folder once the test process is gone, however it ended.
/// </summary>
internal sealed class PostgresInstance : IDisposable
{
    private readonly string _bin;
    private readonly string? _runAs = Environment.UserName == "root" ? "postgres" : null;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "herald-pgfault-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly int _port = FreePort();

    private PostgresInstance(string bin) => _bin = bin;

    private string Data => Path.Combine(_directory, "data");

    /// <summary>Connection string of the database <c>herald</c> on this server.</summary>
    public string ConnectionString => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = _port,
        Username = "herald",
        Database = "herald",
    }.ConnectionString;

    /// <summary>
    /// The folder holding initdb and pg_ctl, searched as <see cref="Infrastructure.PostgresTestServer"/> does
    /// (<c>HERALD_TEST_POSTGRES_BIN</c>, Debian's versioned folders newest first, PATH); null when there is none.
    /// </summary>
    public static string? FindBinaries()
    {
        static bool Has(string dir) => File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "pg_ctl"));
        if (Environment.GetEnvironmentVariable(Infrastructure.PostgresTestServer.BinariesVariable) is { Length: > 0 } chosen)
        {
            return Has(chosen) ? chosen : null;
        }

        var versioned = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0).Select(d => Path.Combine(d, "bin"))
            : [];
        return versioned.Concat((Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)).FirstOrDefault(Has);
    }

    public static PostgresInstance Create(string bin)
    {
        var instance = new PostgresInstance(bin);
        instance.Run("mkdir", ["-p", instance._directory]);
        var stop = $"{(instance._runAs is null ? "" : $"runuser -u {instance._runAs} -- ")}'{Path.Combine(bin, "pg_ctl")}' -D '{instance.Data}' -m immediate -w stop";
        Process.Start(new ProcessStartInfo("sh")
        {
            ArgumentList = { "-c", $"exec >/dev/null 2>&1 </dev/null; while kill -0 {Environment.ProcessId}; do sleep 1; done; {stop}; rm -rf '{instance._directory}'" },
            UseShellExecute = false,
        })?.Dispose();
        instance.Run(Path.Combine(bin, "initdb"), ["-D", instance.Data, "-U", "herald", "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync"]);
        instance.Start();
        using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(instance.ConnectionString) { Database = "postgres", Pooling = false }.ConnectionString);
        connection.Open();
        using var create = new NpgsqlCommand("CREATE DATABASE herald", connection);
        create.ExecuteNonQuery();
        return instance;
    }

    /// <summary>Starts the server (again) on its port; returns when it accepts connections.</summary>
    public void Start()
    {
        // Durable settings (fsync on): a stop and start must keep every commit, as a real server would.
        var options = $"-p {_port} -k {_directory} -c listen_addresses=127.0.0.1 -c max_connections=200 -c shared_buffers=32MB";
        Run(Path.Combine(_bin, "pg_ctl"), ["-D", Data, "-l", Path.Combine(_directory, "server.log"), "-o", options, "-w", "-t", "60", "start"]);
    }

    /// <summary>Stops the server the way an operator or a failover does (<c>-m fast</c>: open sessions are cut).</summary>
    public void Stop() => Run(Path.Combine(_bin, "pg_ctl"), ["-D", Data, "-m", "fast", "-w", "-t", "60", "stop"]);

    public void Dispose()
    {
        try
        {
            Run(Path.Combine(_bin, "pg_ctl"), ["-D", Data, "-m", "immediate", "-w", "stop"]);
        }
        catch (InvalidOperationException)
        {
            // Already stopped.
        }

        Run("rm", ["-rf", _directory]);
    }

    private void Run(string program, IReadOnlyList<string> arguments)
    {
        var info = _runAs is null ? new ProcessStartInfo(program) : new ProcessStartInfo("runuser") { ArgumentList = { "-u", _runAs, "--", program } };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.UseShellExecute = false;
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Cannot start {program}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(120)))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{program} did not finish within 120 s.");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(program)} exited with {process.ExitCode}: {stdout.Result}{stderr.Result}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
