using Xunit.Abstractions;

namespace Herald.Server.Tests.Faults;

/// <summary>
/// Herald gets SIGTERM while it takes a steady load and delivers to two endpoints, and is started again on the same
/// data. A graceful stop must exit 0 without a single error line, finish and record the sends under way (so the attempt
/// log matches the receiver exactly and nothing is sent twice), and lose nothing it accepted.
/// </summary>
[Collection(FaultSuite.Name)]
[Trait("Category", "Faults")]
public sealed class GracefulStopFaultTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Messages = 600;
    private const double PerSecond = 40;
    private static readonly string[] Paths = ["/a", "/b"];

    private readonly string _data = Directory.CreateTempSubdirectory("herald-fault-term").FullName;
    private FaultReceiver _receiver = null!;
    private FaultNode _node = null!;

    public async Task InitializeAsync()
    {
        _receiver = await FaultReceiver.StartAsync();
        _receiver.OkDelay = TimeSpan.FromMilliseconds(200); // Sends are under way when SIGTERM comes.
        _node = new FaultNode(_data, FaultNode.BaseEnvironment());
    }

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        await _receiver.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    [Fact]
    public async Task SigTermUnderLoad_ExitsCleanly_NothingAcceptedIsLost_NothingSentTwice_AndTheLogMatchesTheReceiver()
    {
        await _node.StartAsync();
        var endpoints = await FaultSuite.CreateEndpointsAsync(_node.Client, "term", _receiver, Paths);
        var loading = LoadGenerator.RunAsync(() => _node.Client, "term", Messages, PerSecond, "term");

        await FaultSuite.WaitUntilAsync(() => _receiver.Count >= Messages / 3, TimeSpan.FromSeconds(60), "requests at the receiver");
        var exitCode = await _node.TerminateAsync(TimeSpan.FromSeconds(30));
        var stoppedAfter = _receiver.Count;
        await _node.StartAsync();
        var load = await loading;

        Assert.True(stoppedAfter < Messages * Paths.Length, "SIGTERM came after every delivery: it tested nothing.");
        var checker = new DeliveryChecker(_node.Client, "term", endpoints, _receiver);
        var figures = await checker.CheckAsync(load, new FaultExpectations()); // Exact log: a graceful stop records every try.
        FaultSuite.Report(output, "sigterm", load, figures, $"stopped-after-requests={stoppedAfter}");
        checker.Expect(exitCode == 0, $"Herald exited with {exitCode} on SIGTERM");
        checker.Expect(figures.Duplicates == 0, $"{figures.Duplicates} webhook(s) sent again after a graceful stop");
        foreach (var line in _node.ErrorLines().Distinct().Take(10))
        {
            checker.Expect(false, $"Herald logged an error: {line}");
        }

        checker.AssertNoProblems(load.ToString());
    }
}
