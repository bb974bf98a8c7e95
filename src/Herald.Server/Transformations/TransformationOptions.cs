using System.ComponentModel.DataAnnotations;

namespace Herald.Server.Transformations;

/// <summary>The sandbox every endpoint transformation runs in. Bound from <c>Herald:Transformations</c>, validated at start.</summary>
public sealed class TransformationOptions
{
    public const string Section = "Herald:Transformations";

    /// <summary>Wall-clock time one run may take (10 ms to 10 s); past it the run fails. Default 1 second.</summary>
    public TimeSpan TimeLimit { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Bytes one run may allocate (1–256 MiB); past it the run fails. Default 32 MiB.</summary>
    [Range(1L << 20, 256L << 20)]
    public long MemoryLimitBytes { get; set; } = 32L << 20;

    /// <summary>Depth of JavaScript calls (10–1000); deeper fails the run. Default 100.</summary>
    [Range(10, 1000)]
    public int RecursionLimit { get; set; } = 100;

    /// <summary>Statements one run may execute (1000 to 100 million); more fails the run. Default 1 million.</summary>
    [Range(1000, 100_000_000)]
    public int StatementLimit { get; set; } = 1_000_000;

    internal const string Rule = $"{Section}:TimeLimit must be from 10 ms to 10 s.";

    internal static bool IsValid(TransformationOptions o) => o.TimeLimit >= TimeSpan.FromMilliseconds(10) && o.TimeLimit <= TimeSpan.FromSeconds(10);
}
