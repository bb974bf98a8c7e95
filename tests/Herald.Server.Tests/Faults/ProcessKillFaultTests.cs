using Xunit.Abstractions;

namespace Herald.Server.Tests.Faults;

/// <summary>
/// Herald is killed with SIGKILL twice while it takes a steady load and delivers to two endpoints, and started again
/// on the same data directory each time. Everything answered 202 must be delivered to both endpoints; nothing refused
/// may exist; the attempt log may miss only the tries that were on the wire at a kill.
/// </summary>
[Collection(FaultSuite.Name)]
[Trait("Category", "Faults")]
public sealed class ProcessKillFaultTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Messages = 600;
    private const double PerSecond = 40;
    private const int MaxConcurrentPerEndpoint = 16;
    private static readonly string[] Paths = ["/a", "/b"];

    private readonly string _data = Directory.CreateTempSubdirectory("herald-fault-kill").FullName;
    private FaultReceiver _receiver = null!;
    private FaultNode _node = null!;

    public async Task InitializeAsync()
    {
        _receiver = await FaultReceiver.StartAsync();
        _receiver.OkDelay = TimeSpan.FromMilliseconds(100); // Sends are on the wire when the kill comes.
        _node = new FaultNode(_data, FaultNode.BaseEnvironment());
    }

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        await _receiver.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    [Fact]
    public async Task SigKillTwiceUnderLoad_RestartedOnTheSameData_NothingAcceptedIsLost_AndTheLogMatchesTheReceiver()
    {
        await _node.StartAsync();
        var endpoints = await FaultSuite.CreateEndpointsAsync(_node.Client, "kill", _receiver, Paths);
        // Three phases of publishing; in each of the first two, SIGKILL comes once the receiver has seen another 100
        // requests (so mid-phase, with publishes still going), then Herald starts again on the same data. Phases make
        // the kills land under load however long a start takes on a busy machine.
        var phases = new List<LoadRun>();
        var killedAt = new List<int>();
        var underLoad = 0;
        for (var phase = 0; phase < 3; phase++)
        {
            var afterRequests = _receiver.Count + 100;
            var loading = LoadGenerator.RunAsync(() => _node.Client, "kill", Messages / 3, PerSecond, $"kill{phase}");
            if (phase < 2)
            {
                await FaultSuite.WaitUntilAsync(() => _receiver.Count >= afterRequests, TimeSpan.FromSeconds(60), $"{afterRequests} requests at the receiver");
                underLoad += loading.IsCompleted ? 0 : 1;
                await _node.KillAsync();
                killedAt.Add(_receiver.Count);
                await _node.StartAsync();
            }

            phases.Add(await loading);
        }

        var load = new LoadRun([.. phases.SelectMany(p => p.All)]);
        Assert.True(underLoad == killedAt.Count, $"Only {underLoad} of the kills came while publishing went on: they tested less than they should.");

        var checker = new DeliveryChecker(_node.Client, "kill", endpoints, _receiver);
        var figures = await checker.CheckAsync(load, new FaultExpectations
        {
            // At a kill, each endpoint can have at most its concurrency limit of tries on the wire.
            MaxUnloggedTries = killedAt.Count * Paths.Length * MaxConcurrentPerEndpoint,
        });
        FaultSuite.Report(output, "sigkill", load, figures, $"kills={killedAt.Count} killed-after-requests={string.Join('/', killedAt)}");
        checker.Expect(figures.Duplicates <= killedAt.Count * Paths.Length * MaxConcurrentPerEndpoint,
            $"{figures.Duplicates} duplicates: more than the tries that can be on the wire at {killedAt.Count} kills");
        checker.AssertNoProblems(load.ToString());
    }
}
