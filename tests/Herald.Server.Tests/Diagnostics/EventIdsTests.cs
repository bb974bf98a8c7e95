using System.Reflection;
using Microsoft.Extensions.Logging;
using Herald.Server.Diagnostics;

namespace Herald.Server.Tests.Diagnostics;

/// <summary>One event id, one meaning: every <c>[LoggerMessage]</c> of the server has its own id, listed in <see cref="EventIds"/>.</summary>
public sealed class EventIdsTests
{
    private static readonly Assembly Server = typeof(EventIds).Assembly;

    private static IEnumerable<(string Method, int Id)> LogMessages() =>
        from type in Server.GetTypes()
        from method in type.GetMethods(BindingFlags.Static | BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly)
        let attribute = method.GetCustomAttribute<LoggerMessageAttribute>()
        where attribute is not null
        select ($"{type.FullName}.{method.Name}", attribute.EventId);

    private static IEnumerable<(string Name, int Id)> Registry() =>
        typeof(EventIds).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(int))
            .Select(f => (f.Name, (int)f.GetRawConstantValue()!));

    [Fact]
    public void LoggerMessages_AcrossTheServer_HaveDistinctEventIds()
    {
        var messages = LogMessages().ToList();
        Assert.True(messages.Count >= 40, $"only {messages.Count} [LoggerMessage] methods found by reflection");

        var duplicates = messages.GroupBy(m => m.Id).Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(m => m.Method))}").ToList();

        Assert.True(duplicates.Count == 0, "Event ids used more than once:\n" + string.Join('\n', duplicates));
    }

    [Fact]
    public void LoggerMessages_AcrossTheServer_UseIdsListedInTheRegistry()
    {
        var listed = Registry().Select(r => r.Id).ToHashSet();

        var unlisted = LogMessages().Where(m => m.Id == 0 || !listed.Contains(m.Id)).Select(m => $"{m.Id} ({m.Method})").ToList();

        Assert.True(unlisted.Count == 0, "Event ids missing from Diagnostics/EventIds.cs:\n" + string.Join('\n', unlisted));
    }

    [Fact]
    public void Registry_ListsEachIdOnce()
    {
        var duplicates = Registry().GroupBy(r => r.Id).Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(", ", g.Select(r => r.Name))}").ToList();

        Assert.True(duplicates.Count == 0, "EventIds has the same id twice:\n" + string.Join('\n', duplicates));
    }
}
