using System.Security.Cryptography;
using Herald.Bench.Bare;
using Herald.Bench.Scenarios;

namespace Herald.Bench.Harness;

/// <summary>
/// The bounds scenario's bare servers (<see cref="BareServer"/>): <c>--nodes</c> processes of the benchmark's own
/// assembly run with <c>bare-server</c>, on a fresh SQLite file (one node) or a fresh table of the PostgreSQL database.
/// </summary>
internal sealed class BareCluster : IAsyncDisposable
{
    private static int _started;
    private readonly List<HeraldProcess> _nodes = [];
    private readonly string _directory;

    private BareCluster(string directory, string token)
    {
        _directory = directory;
        Token = token;
    }

    public string Token { get; }

    public IReadOnlyList<HeraldProcess> Nodes => _nodes;

    public IReadOnlyList<Uri> NodeUrls => [.. _nodes.Select(n => n.BaseUrl)];

    public static async Task<BareCluster> StartAsync(BenchContext context, BareMode mode, Uri? receiver)
    {
        var settings = context.Settings;
        var directory = Path.Combine(Path.GetTempPath(), $"herald-bench-bare-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        var cluster = new BareCluster(directory, "bare_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)));
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["BARE_MODE"] = BareSettings.ModeName(mode),
            ["BARE_TOKEN"] = cluster.Token,
            ["BARE_SECRET"] = context.Secret,
            ["BARE_TABLE"] = $"bare_{context.RunId}_{Interlocked.Increment(ref _started)}",
            // As Herald's runtimeconfig does: idle pool threads do not spin (on this VM a spin costs more than a wake-up).
            ["DOTNET_ThreadPool_UnfairSemaphoreSpinLimit"] = "0",
        };
        if (receiver is not null)
        {
            environment["BARE_RECEIVER"] = receiver.AbsoluteUri;
        }

        if (settings.Storage == BenchSettings.Postgres)
        {
            environment["BARE_POSTGRES"] = settings.PostgresConnectionString!;
        }
        else
        {
            environment["BARE_SQLITE"] = Path.Combine(directory, "bare.db");
        }

        try
        {
            for (var node = 0; node < settings.Nodes; node++)
            {
                cluster._nodes.Add(await HeraldProcess.StartAsync(typeof(BareServer).Assembly.Location, environment, context.CancellationToken, ["bare-server"]));
            }
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }

        return cluster;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is not worth failing a run for.
        }
    }
}
