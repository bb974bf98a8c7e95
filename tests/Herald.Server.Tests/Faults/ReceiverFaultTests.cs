using Herald.Server.Tests.Delivery;
using Herald.Server.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Herald.Server.Tests.Faults;

/// <summary>
/// Receivers that misbehave the way networks and broken services do — a reset in the middle of the response body, no
/// answer at all, an answer trickled slower than the endpoint's timeout — under a short retry schedule. Every try must
/// be one attempt row with the right outcome, retries must come when the schedule says (not earlier, and not only when
/// a storage scan happens to find them), and each delivery must end as its receiver made it end.
/// </summary>
[Collection(FaultSuite.Name)]
[Trait("Category", "Faults")]
public sealed class ReceiverFaultTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Messages = 90;
    private const double PerSecond = 10;
    private const double Jitter = 0.1;
    private static readonly TimeSpan[] Delays = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)];
    private static readonly TimeSpan EndpointTimeout = TimeSpan.FromSeconds(1);

    /// <summary>The scan interval is long on purpose: a retry that waits for a scan instead of its due time shows up as late.</summary>
    private static readonly TimeSpan ScanInterval = TimeSpan.FromSeconds(10);

    private static readonly Dictionary<string, ReceiverAnswer> Faults = new()
    {
        ["/reset"] = ReceiverAnswer.ResetMidBody,
        ["/hang"] = ReceiverAnswer.Hang,
        ["/trickle"] = ReceiverAnswer.Trickle,
        ["/error"] = ReceiverAnswer.ServerError,
    };

    private readonly string _data = Directory.CreateTempSubdirectory("herald-fault-receivers").FullName;
    private FaultReceiver _receiver = null!;
    private FaultNode _node = null!;

    public async Task InitializeAsync()
    {
        _receiver = await FaultReceiver.StartAsync();
        // Message n fails (n % 4 == 0 ? every time : n % 4 - 1) times at each endpoint, then succeeds.
        _receiver.Answer = (path, body, attempt) => attempt <= FailuresOf((int)JsonNode.Parse(body)!["n"]!) ? Faults[path] : ReceiverAnswer.Ok;
        var environment = new Dictionary<string, string>
        {
            ["Herald__Delivery__Jitter"] = "0.1",
            ["Herald__Delivery__ScanInterval"] = ScanInterval.ToString(),
            ["Herald__Delivery__MaxConcurrentPerEndpoint"] = "64", // Hanging tries never queue behind each other, so lateness is Herald's own.
        };
        for (var i = 0; i < Delays.Length; i++)
        {
            environment[$"Herald__Delivery__RetrySchedule__{i}"] = Delays[i].ToString();
        }

        _node = new FaultNode(_data, FaultNode.BaseEnvironment(environment));
    }

    /// <summary>How many tries of message n fail before one succeeds: 0, 1 or 2, or all of them for every fourth message.</summary>
    private static int FailuresOf(int n) => n % 4 == 0 ? int.MaxValue : n % 4 - 1;

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        await _receiver.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    [Fact]
    public async Task ResetHangAndTrickle_ShortSchedule_EveryTryIsOneAttempt_RetriesKeepTheSchedule_AndDeliveriesEndAsTheReceiverDecided()
    {
        await _node.StartAsync();
        // One delivery first, outside the checked app: on a loaded machine a fresh process's first send can take longer
        // than the 1 s endpoint timeout, which would turn a receiver's 200 into a timed-out try the checker cannot match.
        await _node.Client.CreateAppAsync("warm-up", "warm-up");
        await _node.Client.CreateEndpointAsync("warm-up", _receiver.Url("/warm-up"));
        await _node.Client.PublishAsync("warm-up", extra: new JsonObject { ["payload"] = new JsonObject { ["n"] = 1 } });
        await DeliveryTestKit.EventuallyAsync(() => Task.FromResult(_receiver.Received.Any(r => r.Path == "/warm-up" && r.Succeeded)), "the warm-up delivery arrived");
        var endpoints = await FaultSuite.CreateEndpointsAsync(_node.Client, "receivers", _receiver, Faults.Keys, (int)EndpointTimeout.TotalSeconds);
        var load = await LoadGenerator.RunAsync(() => _node.Client, "receivers", Messages, PerSecond, "rcv", n => new JsonObject { ["n"] = n });
        Assert.Equal(Messages, load.Accepted.Count);

        var checker = new DeliveryChecker(_node.Client, "receivers", endpoints, _receiver);
        var figures = await checker.CheckAsync(load, new FaultExpectations
        {
            EndStatus = (_, n) => n % 4 == 0 ? "fail" : "success",
            MaxAttempts = Delays.Length + 1,
            Timing = new RetryTiming(Delays, Jitter, EndpointTimeout, MaxLateness: ScanInterval / 4),
        });
        FaultSuite.Report(output, "receivers", load, figures);
        checker.AssertNoProblems(load.ToString());
    }
}
