using System.Globalization;

namespace Herald.Bench.Harness;

/// <summary>A process's resident memory from <c>/proc/{pid}/status</c>: now (VmRSS) and its peak so far (VmHWM), in MiB.</summary>
internal sealed record ProcessMemory(double RssMiB, double PeakRssMiB)
{
    public static ProcessMemory? Read(int pid)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines($"/proc/{pid}/status");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null; // Not Linux, or the process is gone.
        }

        double? rss = null, hwm = null;
        foreach (var line in lines)
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = Kilobytes(line);
            }
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                hwm = Kilobytes(line);
            }
        }

        return rss is { } r && hwm is { } h ? new ProcessMemory(Math.Round(r / 1024, 1), Math.Round(h / 1024, 1)) : null;
    }

    // "VmRSS:\t  123456 kB"
    private static double Kilobytes(string line) =>
        double.Parse(line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Replace("kB", "", StringComparison.Ordinal).Trim(), CultureInfo.InvariantCulture);
}
