using System.Globalization;

namespace Herald.Bench.Harness;

/// <summary>CPU time a process (user + system, all threads) or some of its threads have used so far, from <c>/proc</c>.</summary>
internal static class ProcessCpu
{
    // utime and stime are in clock ticks, USER_HZ, which is 100 on every Linux the benchmark targets.
    private const double TicksPerSecond = 100;

    public static TimeSpan? Read(int pid) => ReadStat($"/proc/{pid}/stat");

    /// <summary>CPU time of the threads of <paramref name="pid"/> whose name starts with <paramref name="namePrefix"/> (zero when none, or the process is gone).</summary>
    public static TimeSpan ReadThreads(int pid, string namePrefix)
    {
        var sum = TimeSpan.Zero;
        try
        {
            foreach (var thread in Directory.EnumerateDirectories($"/proc/{pid}/task"))
            {
                if (File.ReadAllText(Path.Combine(thread, "comm")).StartsWith(namePrefix, StringComparison.Ordinal))
                {
                    sum += ReadStat(Path.Combine(thread, "stat")) ?? TimeSpan.Zero;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The process or one of its threads ended meanwhile: what was read so far stands.
        }

        return sum;
    }

    private static TimeSpan? ReadStat(string path)
    {
        string stat;
        try
        {
            stat = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        // "pid (comm) state ppid …": comm may hold spaces, so count fields after its closing parenthesis; utime and
        // stime are fields 14 and 15 of the line, so 11 and 12 after it.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / TicksPerSecond);
    }
}
