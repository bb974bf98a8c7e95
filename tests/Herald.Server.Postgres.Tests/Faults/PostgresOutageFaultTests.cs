using System.Diagnostics;
using Herald.Server.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Herald.Server.Tests.Faults;

/// <summary>
/// Herald on PostgreSQL, under a steady load and delivering to two endpoints, while PostgreSQL is stopped for a few
/// seconds and started again (Herald keeps running). During the outage publishes are refused with 503/507 and
/// Retry-After, health answers 503; afterwards everything accepted is delivered without a restart, the attempt log
/// matches the receiver except for tries whose rows could not be written during the outage, and duplicates are bounded
/// by what was on the wire then.
/// </summary>
[Collection(FaultSuite.Name)]
[Trait("Category", "Faults")]
public sealed class PostgresOutageFaultTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Messages = 400;
    private const double PerSecond = 40;
    private const int MaxConcurrentPerEndpoint = 16;
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(4);
    private static readonly string[] Paths = ["/a", "/b"];

    private readonly string _data = Directory.CreateTempSubdirectory("herald-fault-pg").FullName;
    private FaultReceiver _receiver = null!;
    private PostgresInstance? _postgres;
    private FaultNode? _node;

    public async Task InitializeAsync()
    {
        _receiver = await FaultReceiver.StartAsync();
        _receiver.OkDelay = TimeSpan.FromMilliseconds(50);
    }

    public async Task DisposeAsync()
    {
        if (_node is not null)
        {
            await _node.DisposeAsync();
        }

        await _receiver.DisposeAsync();
        _postgres?.Dispose();
        Directory.Delete(_data, recursive: true);
    }

    [SkippableFact]
    public async Task PostgresStoppedAndRestartedUnderLoad_OutageAnswers503_NothingAcceptedIsLost_AndDeliveryResumesWithoutRestart()
    {
        var bin = PostgresInstance.FindBinaries();
        Requirements.Require(bin is not null, "PostgreSQL's initdb/pg_ctl are not installed: this test runs a server of its own to stop and start.");
        _postgres = PostgresInstance.Create(bin!);
        _node = new FaultNode(_data, FaultNode.BaseEnvironment(new Dictionary<string, string>
        {
            ["Herald__Storage__Provider"] = "postgres",
            ["Herald__Storage__ConnectionString"] = _postgres.ConnectionString,
        }));
        await _node.StartAsync();
        var endpoints = await FaultSuite.CreateEndpointsAsync(_node.Client, "pg", _receiver, Paths);
        var loading = LoadGenerator.RunAsync(() => _node.Client, "pg", Messages, PerSecond, "pg");

        await FaultSuite.WaitUntilAsync(() => _receiver.Count >= Messages / 2, TimeSpan.FromSeconds(60), "requests at the receiver");
        var outageFrom = DateTimeOffset.UtcNow;
        var down = Stopwatch.StartNew();
        _postgres.Stop();
        var healthDuringOutage = await FaultSuite.HealthAsync(_node.Client);
        if (Outage - down.Elapsed is { } rest && rest > TimeSpan.Zero)
        {
            await Task.Delay(rest); // The outage itself: how long PostgreSQL stays away is the fault's size.
        }

        _postgres.Start();
        var outageUntil = DateTimeOffset.UtcNow;
        var recovered = await FaultSuite.WaitUntilHealthyAsync(_node.Client, TimeSpan.FromSeconds(30));
        var load = await loading;

        var checker = new DeliveryChecker(_node.Client, "pg", endpoints, _receiver);
        var onTheWire = Paths.Length * MaxConcurrentPerEndpoint;
        var triesDuringOutage = _receiver.Received.Count(r => r.ArrivedAt >= outageFrom && r.ArrivedAt <= outageUntil + (recovered ?? TimeSpan.Zero));
        var figures = await checker.CheckAsync(load, new FaultExpectations { MaxUnloggedTries = triesDuringOutage + onTheWire });
        FaultSuite.Report(output, "postgres-outage", load, figures,
            $"outage={(outageUntil - outageFrom).TotalSeconds:0.0}s healthy-again-after={recovered?.TotalSeconds:0.0}s tries-during-outage={triesDuringOutage}");

        checker.Expect(load.Refused.Count + load.Unknown.Count > 0, $"no publish noticed the outage, so it tested nothing: {load}");
        FaultSuite.ExpectOutageAnswers(checker, load, "during the outage");
        checker.Expect(healthDuringOutage == 503, $"health answered {healthDuringOutage} while PostgreSQL was down (must be 503)");
        checker.Expect(recovered is not null, "health did not answer 200 within 30 s of PostgreSQL's restart");
        checker.Expect(figures.Duplicates <= triesDuringOutage + onTheWire,
            $"{figures.Duplicates} duplicates: more than the {triesDuringOutage} tries during the outage and {onTheWire} on the wire");
        checker.AssertNoProblems(load.ToString());
    }
}
