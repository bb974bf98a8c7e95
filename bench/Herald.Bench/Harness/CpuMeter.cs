using System.Diagnostics;

namespace Herald.Bench.Harness;

/// <summary>How busy Herald and this benchmark process were during a measurement, in cores (2.0 = both cores of a 2-core machine).</summary>
/// <remarks><see cref="HeraldBytesWritten"/>: what the server processes wrote to storage meanwhile (<see cref="ProcessIo"/>).</remarks>
internal sealed record CpuUse(double HeraldCores, double BenchCores, long HeraldBytesWritten = 0);

/// <summary>Measures CPU use of the Herald processes and of this process between its creation and <see cref="Stop"/>.</summary>
internal sealed class CpuMeter
{
    private readonly IReadOnlyList<HeraldProcess> _nodes;
    private readonly long _startedAt = BenchClock.Now;
    private readonly TimeSpan _heraldStart;
    private readonly long _writtenStart;
    private readonly TimeSpan _benchStart = Process.GetCurrentProcess().TotalProcessorTime;

    public CpuMeter(HeraldCluster herald)
        : this(herald.Nodes)
    {
    }

    /// <summary>Measures the given server processes (Herald's, or the bounds scenario's bare server).</summary>
    public CpuMeter(IReadOnlyList<HeraldProcess> nodes)
    {
        _nodes = nodes;
        _heraldStart = HeraldCpu();
        _writtenStart = Written();
    }

    public CpuUse Stop()
    {
        var seconds = BenchClock.Seconds(_startedAt, BenchClock.Now);
        var herald = (HeraldCpu() - _heraldStart).TotalSeconds / seconds;
        var bench = (Process.GetCurrentProcess().TotalProcessorTime - _benchStart).TotalSeconds / seconds;
        return new CpuUse(Math.Round(herald, 2), Math.Round(bench, 2), Written() - _writtenStart);
    }

    private long Written() => _nodes.Sum(node => ProcessIo.WrittenBytes(node.Id) ?? 0);

    private TimeSpan HeraldCpu() => _nodes.Aggregate(TimeSpan.Zero, (sum, node) => sum + (ProcessCpu.Read(node.Id) ?? TimeSpan.Zero));
}
