using System.Security.Cryptography;
using Herald.Client;

namespace Herald.Bench.Harness;

/// <summary>Bytes on disk of a SQLite data directory: every file, the database file, and its WAL.</summary>
internal sealed record DiskUse(long TotalBytes, long DatabaseBytes, long WalBytes);

/// <summary>
/// The Herald processes of one scenario: <c>--nodes</c> servers on one database (a fresh temp data directory for
/// SQLite; the given PostgreSQL database otherwise), a preset admin token, and loopback delivery allowed.
/// </summary>
internal sealed class HeraldCluster : IAsyncDisposable
{
    // The main key that seals endpoint secrets on PostgreSQL (a fixed one: bench databases are throwaway).
    private const string BenchMainKey = "YmVuY2gtb25seSBtYWluIGtleSwgbm90IHNlY3JldCE=";

    private readonly List<HeraldProcess> _nodes = [];
    private readonly string _dataDirectory;

    private HeraldCluster(string dataDirectory, string adminToken)
    {
        _dataDirectory = dataDirectory;
        AdminToken = adminToken;
    }

    public string AdminToken { get; }

    /// <summary>Whether the nodes store in PostgreSQL (else in a SQLite file of their data directory).</summary>
    public bool IsPostgres { get; private set; }

    public IReadOnlyList<HeraldProcess> Nodes => _nodes;

    public IReadOnlyList<Uri> NodeUrls => [.. _nodes.Select(n => n.BaseUrl)];

    /// <summary>An API client on the first node, for setting up and checking (not for load).</summary>
    public HeraldClient Admin { get; private set; } = null!;

    public static async Task<HeraldCluster> StartAsync(
        BenchSettings settings, IReadOnlyDictionary<string, string>? scenarioEnvironment, CancellationToken cancellationToken)
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), $"herald-bench-{Guid.NewGuid():N}");
        var cluster = new HeraldCluster(dataDirectory, "herald_sk_bench_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24)));
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Herald__Storage__DataDirectory"] = dataDirectory,
            ["Herald__Auth__AdminToken"] = cluster.AdminToken,
            ["Herald__Delivery__AllowedNetworks__0"] = "127.0.0.0/8",
        };
        if (settings.Storage == BenchSettings.Postgres)
        {
            cluster.IsPostgres = true;
            environment["Herald__Storage__Provider"] = "postgres";
            environment["Herald__Storage__ConnectionString"] = settings.PostgresConnectionString!;
            environment["Herald__Secrets__MainKey"] = BenchMainKey; // every node must share it
        }

        foreach (var (name, value) in (scenarioEnvironment ?? new Dictionary<string, string>()).Concat(settings.ServerEnvironment))
        {
            environment[name] = value;
        }

        try
        {
            // One after the other: the first node applies the migrations before the others start.
            for (var node = 0; node < settings.Nodes; node++)
            {
                cluster._nodes.Add(await HeraldProcess.StartAsync(settings.ServerAssembly, environment, cancellationToken));
            }

            cluster.Admin = new HeraldClient(new HeraldClientOptions { ServerUrl = cluster._nodes[0].BaseUrl, Token = cluster.AdminToken });
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }

        return cluster;
    }

    /// <summary>
    /// Bytes of every file in the SQLite data directory (the database, its WAL and shared memory), or null on
    /// PostgreSQL, whose size the benchmark does not read.
    /// </summary>
    public DiskUse? ReadDisk()
    {
        if (IsPostgres || !Directory.Exists(_dataDirectory))
        {
            return null;
        }

        var files = new DirectoryInfo(_dataDirectory).GetFiles("*", SearchOption.AllDirectories);
        var database = files.Where(f => f.Name.EndsWith(".db", StringComparison.Ordinal)).Sum(f => f.Length);
        var wal = files.Where(f => f.Name.EndsWith("-wal", StringComparison.Ordinal)).Sum(f => f.Length);
        return new DiskUse(files.Sum(f => f.Length), database, wal);
    }

    /// <summary>Resident memory of each node, in node order (null for a node that is gone).</summary>
    public IReadOnlyList<ProcessMemory?> ReadMemory() => [.. _nodes.Select(n => n.ReadMemory())];

    public async ValueTask DisposeAsync()
    {
        Admin?.Dispose();
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }

        try
        {
            if (Directory.Exists(_dataDirectory))
            {
                Directory.Delete(_dataDirectory, recursive: true);
            }
        }
        catch (IOException)
        {
            // A temp folder left behind is not worth failing a run for.
        }
    }
}
