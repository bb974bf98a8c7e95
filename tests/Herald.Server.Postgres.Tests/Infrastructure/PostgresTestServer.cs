using System.Diagnostics;
using System.Net.Sockets;
using Npgsql;

namespace Herald.Server.Tests.Infrastructure;

/// <summary>
/// One throwaway PostgreSQL server per test process: <c>initdb</c> + <c>pg_ctl</c> on a free loopback port in a temp
/// folder (fsync off: nothing here needs to survive a crash), stopped and deleted when the process exits. Every
/// <see cref="HeraldApplication"/> gets its own database on it. <c>HERALD_TEST_POSTGRES</c> (a connection string
/// of a role that may create databases) selects an existing server instead.
/// </summary>
internal static class PostgresTestServer
{
    public const string ServerVariable = "HERALD_TEST_POSTGRES";

    /// <summary>A folder with the initdb and pg_ctl to use (e.g. another PostgreSQL version), instead of searching.</summary>
    public const string BinariesVariable = "HERALD_TEST_POSTGRES_BIN";

    private static readonly Lazy<(string? AdminConnectionString, string? Problem)> Server = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Why the PostgreSQL tests cannot run here (no binaries and no <see cref="ServerVariable"/>), or null when they can.</summary>
    public static string? MissingReason { get; } = FindMissingReason();

    /// <summary>A new, empty database; returns its connection string.</summary>
    public static string CreateDatabase()
    {
        var admin = AdminConnectionString();
        var name = "herald_test_" + Guid.NewGuid().ToString("N");
        using (var connection = new NpgsqlConnection(admin))
        {
            connection.Open();
            using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            create.ExecuteNonQuery();
        }

        // Pooled like a real deployment (the admin connection string may say otherwise).
        return new NpgsqlConnectionStringBuilder(admin) { Database = name, Pooling = true }.ConnectionString;
    }

    /// <summary>Drops a database made by <see cref="CreateDatabase"/>, closing whatever still uses it.</summary>
    public static void DropDatabase(string connectionString)
    {
        // Herald's own connections closed with its data source when the server stopped; FORCE ends any straggler.
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        using var connection = new NpgsqlConnection(AdminConnectionString());
        connection.Open();
        using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection);
        drop.ExecuteNonQuery();
    }

    private static string AdminConnectionString()
    {
        var (connectionString, problem) = Server.Value;
        return connectionString ?? throw new InvalidOperationException("PostgreSQL is required for these tests: " + problem);
    }

    private static string? FindMissingReason() =>
        Environment.GetEnvironmentVariable(ServerVariable) is { Length: > 0 } || FindBinaries() is not null
            ? null
            : $"PostgreSQL is not installed (no initdb/pg_ctl in {BinariesVariable}, /usr/lib/postgresql/*/bin or on PATH) and {ServerVariable} is not set.";

    /// <summary>
    /// The folder holding initdb and pg_ctl: <see cref="BinariesVariable"/> when set (only there), else Debian's versioned
    /// folders (newest first), then PATH.
    /// </summary>
    private static string? FindBinaries()
    {
        if (Environment.GetEnvironmentVariable(BinariesVariable) is { Length: > 0 } chosen)
        {
            return File.Exists(Path.Combine(chosen, "initdb")) && File.Exists(Path.Combine(chosen, "pg_ctl")) ? chosen : null;
        }

        var candidates = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0)
                .Select(d => Path.Combine(d, "bin"))
            : [];
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        return candidates.Concat(onPath)
            .FirstOrDefault(dir => File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "pg_ctl")));
    }

    private static (string?, string?) Start()
    {
        if (Environment.GetEnvironmentVariable(ServerVariable) is { Length: > 0 } given)
        {
            return (given, null);
        }

        if (FindBinaries() is not { } bin)
        {
            return (null, MissingReason);
        }

        try
        {
            return (StartThrowaway(bin), null);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or System.ComponentModel.Win32Exception)
        {
            return (null, "starting a throwaway PostgreSQL server failed: " + e.Message);
        }
    }

    private static string StartThrowaway(string bin)
    {
        // initdb refuses to run as root; a root test run (CI) runs the server as the 'postgres' account instead.
        var runAs = Environment.UserName == "root" ? "postgres" : null;
        var directory = Path.Combine(Path.GetTempPath(), "herald-pg-" + Guid.NewGuid().ToString("N")[..12]);
        Run(runAs, "mkdir", ["-p", directory]);
        var data = Path.Combine(directory, "data");
        // A watchdog outlives this process: once it is gone (finished, crashed or killed), the server is stopped and
        // its folder deleted, so no run leaves a PostgreSQL behind.
        var stop = $"{(runAs is null ? "" : $"runuser -u {runAs} -- ")}'{Path.Combine(bin, "pg_ctl")}' -D '{data}' -m immediate -w stop";
        var watchdog = new ProcessStartInfo("sh")
        {
            ArgumentList =
            {
                "-c",
                $"exec >/dev/null 2>&1 </dev/null; while kill -0 {Environment.ProcessId}; do sleep 1; done; {stop}; rm -rf '{directory}'",
            },
            UseShellExecute = false,
        };
        Process.Start(watchdog)?.Dispose();

        Run(runAs, Path.Combine(bin, "initdb"), ["-D", data, "-U", "herald", "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync"]);

        var port = FreePort();
        var options = $"-p {port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            + "-c max_connections=500 -c shared_buffers=64MB";
        Run(runAs, Path.Combine(bin, "pg_ctl"), ["-D", data, "-l", Path.Combine(directory, "server.log"), "-o", options, "-w", "-t", "60", "start"]);

        return new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = port,
            Username = "herald",
            Database = "postgres",
            Pooling = false,
        }.ConnectionString;
    }

    private static void Run(string? runAs, string program, IReadOnlyList<string> arguments)
    {
        var info = runAs is null ? new ProcessStartInfo(program) : new ProcessStartInfo("runuser") { ArgumentList = { "-u", runAs, "--", program } };
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
