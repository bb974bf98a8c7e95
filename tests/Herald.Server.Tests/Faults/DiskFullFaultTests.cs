using Herald.Server.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Herald.Server.Tests.Faults;

/// <summary>
/// Herald's data directory is a small tmpfs that fills up under load. While it is full, publishes must be refused with
/// 507 or 503 (never 500: the client must learn it may retry) and health must say so; nothing answered 202 may be
/// lost; and once space is freed, Herald must take messages and finish its deliveries again without a restart.
/// Needs root for <c>mount</c>: skipped with that reason elsewhere, never in CI (which runs as root).
/// </summary>
[Collection(FaultSuite.Name)]
[Trait("Category", "Faults")]
public sealed class DiskFullFaultTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int FillMessages = 300;
    private const int ResumeMessages = 60;
    private const double PerSecond = 50;
    private const long Headroom = 2 * 1024 * 1024;
    private const int MaxConcurrentPerEndpoint = 16;

    private readonly string _mount = Directory.CreateTempSubdirectory("herald-fault-disk").FullName;
    private bool _mounted;
    private FaultReceiver _receiver = null!;
    private FaultNode _node = null!;

    public async Task InitializeAsync()
    {
        _receiver = await FaultReceiver.StartAsync();
        _node = new FaultNode(Path.Combine(_mount, "data"), FaultNode.BaseEnvironment());
    }

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync(); // The process must be gone before its files' file system can be unmounted.
        await _receiver.DisposeAsync();
        if (_mounted)
        {
            await ExternalCommand.RunAsync("umount", [_mount], "/", new Dictionary<string, string>(), TimeSpan.FromSeconds(30));
        }

        Directory.Delete(_mount, recursive: true);
    }

    [SkippableFact]
    public async Task DataDirectoryFillsUpUnderLoad_PublishesAnswer507Or503_NothingAcceptedIsLost_AndFreeingSpaceResumesWithoutRestart()
    {
        Requirements.Require(Environment.UserName == "root", "mounting a small tmpfs as the data directory needs root.");
        var (mountCode, mountOutput) = await ExternalCommand.RunAsync(
            "mount", ["-t", "tmpfs", "-o", "size=48m", "tmpfs", _mount], "/", new Dictionary<string, string>(), TimeSpan.FromSeconds(30));
        Requirements.Require(mountCode == 0, $"mount -t tmpfs failed here (a container without CAP_SYS_ADMIN?): {mountOutput}");
        _mounted = true;

        await _node.StartAsync();
        var endpoints = await FaultSuite.CreateEndpointsAsync(_node.Client, "disk", _receiver, ["/a"]);

        // Leave Herald a little room, then publish 16 KB messages into it until it runs out.
        var ballast = Path.Combine(_mount, "ballast");
        await FillAsync(ballast, new DriveInfo(_mount).AvailableFreeSpace - Headroom);
        var fullFrom = DateTimeOffset.UtcNow;
        var padding = new string('x', 16 * 1024);
        var filling = await LoadGenerator.RunAsync(() => _node.Client, "disk", FillMessages, PerSecond, "fill", n => new JsonObject { ["n"] = n, ["pad"] = padding });
        var healthWhileFull = await FaultSuite.HealthAsync(_node.Client);
        output.WriteLine($"While full: {filling}; health answered {healthWhileFull}.");

        // Free the space: Herald must take messages again without a restart.
        File.Delete(ballast);
        var recovered = await FaultSuite.WaitUntilHealthyAsync(_node.Client, TimeSpan.FromSeconds(30));
        var freedAt = DateTimeOffset.UtcNow;
        var resuming = await LoadGenerator.RunAsync(() => _node.Client, "disk", ResumeMessages, PerSecond, "resume");

        var load = new LoadRun([.. filling.All, .. resuming.All]);
        var checker = new DeliveryChecker(_node.Client, "disk", endpoints, _receiver);
        var triesWhileFull = _receiver.Received.Count(r => r.ArrivedAt >= fullFrom && r.ArrivedAt <= freedAt);
        var figures = await checker.CheckAsync(load, new FaultExpectations
        {
            // An attempt whose row could not be written while the disk was full is tried again: the log misses only those.
            MaxUnloggedTries = triesWhileFull + MaxConcurrentPerEndpoint,
        });
        FaultSuite.Report(output, "disk-full", load, figures, $"healthy-again-after={recovered?.TotalSeconds:0.0}s");

        checker.Expect(filling.Refused.Count > 0, $"the disk never filled up, so nothing was tested: {filling}");
        FaultSuite.ExpectOutageAnswers(checker, filling, "while the disk was full");

        checker.Expect(healthWhileFull == 503, $"health answered {healthWhileFull} while the data directory was full (must be 503)");
        checker.Expect(recovered is not null, "health did not answer 200 within 30 s of freeing space");
        checker.Expect(resuming.Accepted.Count == ResumeMessages, $"after freeing space, without a restart: {resuming}");
        checker.Expect(filling.Unknown.Count == 0, $"publishes without an answer while full: {filling.Unknown.FirstOrDefault()?.Detail}");
        checker.AssertNoProblems(load.ToString());
    }

    private static async Task FillAsync(string path, long bytes)
    {
        await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
        var chunk = new byte[1024 * 1024];
        for (long written = 0; written < bytes; written += chunk.Length)
        {
            await file.WriteAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, bytes - written)));
        }
    }
}
