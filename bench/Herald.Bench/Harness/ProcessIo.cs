using System.Globalization;

namespace Herald.Bench.Harness;

/// <summary>
/// Bytes a process has caused to be written to storage so far (<c>write_bytes</c> of <c>/proc/{pid}/io</c>: counted when
/// it dirties the page cache, so a WAL append and a checkpoint's copy both count); null where it cannot be read.
/// </summary>
internal static class ProcessIo
{
    public static long? WrittenBytes(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/io"))
            {
                if (line.StartsWith("write_bytes:", StringComparison.Ordinal))
                {
                    return long.Parse(line.AsSpan("write_bytes:".Length).Trim(), CultureInfo.InvariantCulture);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        return null;
    }
}
