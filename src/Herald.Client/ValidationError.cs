namespace Herald.Client;

/// <summary>One problem of a refused request (in a 422 answer): where it is, what is wrong, and a machine-readable type.</summary>
/// <param name="Loc">Location, e.g. <c>["body", "url"]</c> or <c>["query", "limit"]</c>.</param>
/// <param name="Msg">What is wrong, for people.</param>
/// <param name="Type">What is wrong, for programs, e.g. <c>missing</c>, <c>invalid_url</c>, <c>out_of_range</c>.</param>
public sealed record ValidationError(IReadOnlyList<string> Loc, string Msg, string Type)
{
    /// <inheritdoc />
    public override string ToString() => $"{string.Join('.', Loc)}: {Msg}";
}
