using System.Diagnostics;

namespace Herald.Bench.Harness;

/// <summary>
/// The one clock of a run: <see cref="Stopwatch.GetTimestamp"/>. Publisher, pull consumers and receiver live in this
/// process, so a timestamp written into a payload at publish time can be compared with the arrival time directly.
/// </summary>
internal static class BenchClock
{
    public static long Now => Stopwatch.GetTimestamp();

    public static double Milliseconds(long from, long to) => (to - from) * 1000.0 / Stopwatch.Frequency;

    public static double Seconds(long from, long to) => (double)(to - from) / Stopwatch.Frequency;

    public static long After(long from, TimeSpan span) => from + (long)(span.TotalSeconds * Stopwatch.Frequency);
}
