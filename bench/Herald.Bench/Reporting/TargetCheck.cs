namespace Herald.Bench.Reporting;

/// <summary>One target of issue 5 and how the run did against it; <see cref="Met"/> is null when it was not measured.</summary>
internal sealed record TargetCheck(string Target, string Measured, bool? Met)
{
    public string Verdict => Met switch
    {
        true => "met",
        false => "MISSED",
        null => "not measured",
    };
}
