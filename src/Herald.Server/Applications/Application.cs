namespace Herald.Server.Applications;

/// <summary>One consumer (tenant) of the platform; everything else belongs to exactly one application.</summary>
public sealed record Application
{
    public required string Id { get; init; }
    public string? Uid { get; init; }
    public required string Name { get; init; }
    public int? ThrottleRate { get; init; }
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }
}
