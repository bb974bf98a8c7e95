namespace Herald.Server.Tests;

// The linked test files say [Fact], [Theory] and [SkippableFact] with `using Xunit;`. C# looks a name up in the
// enclosing namespaces (Herald.Server.Tests.*, then Herald.Server.Tests) before the file's using directives, so
// in this project these subclasses are the ones applied: each skips its test with a visible reason when there is
// no PostgreSQL to run on. Under CI=true they never skip; the test then fails on the missing server instead.

/// <summary>[Fact] that is skipped when no PostgreSQL server can be had (never in CI).</summary>
public sealed class FactAttribute : Xunit.FactAttribute
{
    public FactAttribute() => Skip = PostgresTestRequirement.SkipReason;
}

/// <summary>[Theory] that is skipped when no PostgreSQL server can be had (never in CI).</summary>
public sealed class TheoryAttribute : Xunit.TheoryAttribute
{
    public TheoryAttribute() => Skip = PostgresTestRequirement.SkipReason;
}

/// <summary>[SkippableFact] that is skipped when no PostgreSQL server can be had (never in CI).</summary>
public sealed class SkippableFactAttribute : Xunit.SkippableFactAttribute
{
    public SkippableFactAttribute() => Skip = PostgresTestRequirement.SkipReason;
}

/// <summary>[SkippableTheory] that is skipped when no PostgreSQL server can be had (never in CI).</summary>
public sealed class SkippableTheoryAttribute : Xunit.SkippableTheoryAttribute
{
    public SkippableTheoryAttribute() => Skip = PostgresTestRequirement.SkipReason;
}

internal static class PostgresTestRequirement
{
    /// <summary>Null when the tests can run (or must, in CI); otherwise why they are skipped.</summary>
    public static string? SkipReason { get; } =
        Infrastructure.PostgresTestServer.MissingReason is { } reason
        && !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase)
            ? reason
            : null;
}
