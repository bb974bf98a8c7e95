using System.Globalization;

namespace Herald.Bench.Harness;

/// <summary>CPU time a process has used so far (user + system, all threads), from <c>/proc/{pid}/stat</c>.</summary>
internal static class ProcessCpu
{
    // utime and stime are in clock ticks, USER_HZ, which is 100 on every Linux the benchmark targets.
    private const double TicksPerSecond = 100;

    public static TimeSpan? Read(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
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
