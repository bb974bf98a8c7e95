namespace Herald.Bench.Harness;

/// <summary>
/// CPU time the runtime's tiered-compilation thread of each server process has used so far: the thread that
/// compiles hot methods again, optimized with the profile gathered meanwhile. While it is busy, a server is still
/// warming up (on this machine, for 20 to 30 s of load after start: BENCHMARKS.md, "Warm-up until the JIT settles").
/// </summary>
internal static class JitActivity
{
    // The runtime names the thread ".NET Tiered Compilation Worker"; Linux keeps 15 characters of a thread's name.
    private const string ThreadName = ".NET Tiered Com";

    public static TimeSpan Read(IReadOnlyList<HeraldProcess> nodes) =>
        nodes.Aggregate(TimeSpan.Zero, (sum, node) => sum + ProcessCpu.ReadThreads(node.Id, ThreadName));
}
