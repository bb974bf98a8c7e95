using System.Diagnostics;
using System.Net.Sockets;
using Npgsql;

namespace Herald.Server.Tests.Infrastructure;

/// <summary>
/// A PostgreSQL server of one test's own, which the test may stop and start again (an outage), unlike the shared
/// <see cref="PostgresTestServer"/> every other test uses. Needs initdb and pg_ctl (as that one does); run as the
/// 'postgres' account under root. Stopped and deleted on dispose, or by a watchdog if the test process dies.
/// </summary>
internal sealed class StoppablePostgresServer : IDisposable
{
    private readonly string _bin;
    private readonly string _directory;
    private readonly string? _runAs = Environment.UserName == "root" ? "postgres" : null;
    private readonly int _port = FreePort();

    private StoppablePostgresServer(string bin)
    {
        _bin = bin;
        _directory = Path.Combine(Path.GetTempPath(), "herald-pg-own-" + Guid.NewGuid().ToString("N")[..12]);
    }

    /// <summary>Why such a server cannot be had here (no initdb/pg_ctl), or null.</summary>
    public static string? MissingReason => FindBinaries() is null ? "initdb and pg_ctl are not installed (/usr/lib/postgresql/*/bin or HERALD_TEST_POSTGRES_BIN)" : null;

    /// <summary>Pooled, with a short connect timeout, as Herald would be configured against it.</summary>
    public string ConnectionString => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = _port,
        Username = "herald",
        Database = "postgres",
        Pooling = true,
        Timeout = 5,
    }.ConnectionString;

    private string Data => Path.Combine(_directory, "data");

    public static StoppablePostgresServer Create()
    {
        var server = new StoppablePostgresServer(FindBinaries() ?? throw new InvalidOperationException(MissingReason));
        server.Run("mkdir", "-p", server._directory);
        var stop = $"{(server._runAs is null ? "" : $"runuser -u {server._runAs} -- ")}'{Path.Combine(server._bin, "pg_ctl")}' -D '{server.Data}' -m immediate -w stop";
        Process.Start(new ProcessStartInfo("sh")
        {
            ArgumentList = { "-c", $"exec >/dev/null 2>&1 </dev/null; while kill -0 {Environment.ProcessId}; do sleep 1; done; {stop}; rm -rf '{server._directory}'" },
            UseShellExecute = false,
        })?.Dispose();
        server.Run(Path.Combine(server._bin, "initdb"), "-D", server.Data, "-U", "herald", "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync");
        server.Start();
        return server;
    }

    public void Start() => Run(Path.Combine(_bin, "pg_ctl"), "-D", Data, "-l", Path.Combine(_directory, "server.log"),
        "-o", $"-p {_port} -k {_directory} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100", "-w", "-t", "60", "start");

    /// <summary>Stops the server as an operator or a crash would: sessions are ended, new connections refused.</summary>
    public void Stop() => Run(Path.Combine(_bin, "pg_ctl"), "-D", Data, "-m", "fast", "-w", "stop");

    public void Dispose()
    {
        try
        {
            Run(Path.Combine(_bin, "pg_ctl"), "-D", Data, "-m", "immediate", "-w", "stop");
        }
        catch (InvalidOperationException)
        {
            // Already stopped.
        }

        Run("rm", "-rf", _directory);
    }

    private static string? FindBinaries()
    {
        var candidates = Environment.GetEnvironmentVariable(PostgresTestServer.BinariesVariable) is { Length: > 0 } chosen
            ? [chosen]
            : Directory.Exists("/usr/lib/postgresql")
                ? Directory.GetDirectories("/usr/lib/postgresql").OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0).Select(d => Path.Combine(d, "bin"))
                : [];
        return candidates.FirstOrDefault(dir => File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "pg_ctl")));
    }

    private void Run(string program, params string[] arguments)
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
