using System.Reflection;
using Herald.Server.Api;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Herald.Server.Tests.Api;

/// <summary>The rules QueryBindingCheck derives from a handler's declared query parameters.</summary>
public sealed class QueryBindingCheckTests
{
    internal enum Shade
    {
        Light = 1,
        Dark = 2,
    }

    internal sealed record ShadeQuery
    {
        [FromQuery(Name = "shade")]
        public Shade? Shade { get; init; }

        [FromQuery(Name = "name")]
        public string? Name { get; init; }
    }

    private static void Handler([AsParameters] ShadeQuery query, bool? flag) => _ = (query, flag);

    private static (string Name, QueryRule Rule)[] Rules() =>
        QueryBindingCheck.RulesOf(typeof(QueryBindingCheckTests).GetMethod(nameof(Handler), BindingFlags.NonPublic | BindingFlags.Static)!);

    [Fact]
    public void Rules_EnumOfARecord_AcceptsOnlyDefinedNamesAndNumbers()
    {
        var rule = Rules().Single(r => r.Name == "shade").Rule;

        Assert.True(rule.Accepts("Dark"));
        Assert.True(rule.Accepts("1"));
        Assert.False(rule.Accepts("7"));
        Assert.False(rule.Accepts("Pink"));
        Assert.Equal("must be one of: Light, Dark.", rule.Message);
    }

    [Fact]
    public void Rules_StringsHaveNoRule_PlainBooleansDo()
    {
        var names = Rules().Select(r => r.Name).ToList();

        Assert.DoesNotContain("name", names);
        Assert.Contains("flag", names);
    }
}
