using System.Reflection;
using System.Text.RegularExpressions;
using Herald.Server.Storage;
using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.Hosting;

/// <summary>
/// docs/CONFIGURATION.md lists every setting of the options classes once, with its environment-variable form, and
/// nothing else under <c>Herald:</c>: a property added without a row, or a row left after its property went, fails.
/// </summary>
public sealed partial class ConfigurationReferenceTests
{
    private static readonly Assembly Server = typeof(StorageOptions).Assembly;

    [GeneratedRegex(@"^\|\s*`(Herald:[^`]+)`\s*\|")]
    private static partial Regex SettingRow();

    /// <summary>Every bound options class: a type with a <c>Section</c> constant (e.g. <c>Herald:Delivery</c>).</summary>
    private static IEnumerable<(string Section, Type Type)> BoundOptions() =>
        from type in Server.GetTypes()
        let section = type.GetField("Section", BindingFlags.Public | BindingFlags.Static)
        where section is { IsLiteral: true } && section.FieldType == typeof(string)
        let name = (string)section.GetRawConstantValue()!
        where name.StartsWith("Herald:", StringComparison.Ordinal)
        select (name, type);

    private static IEnumerable<string> Settings(string prefix, Type type, HashSet<Type> seen)
    {
        seen.Add(type);
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod?.IsPublic == true))
        {
            var key = $"{prefix}:{property.Name}";
            var element = ElementType(property.PropertyType);
            if (element is not null && !IsScalar(element))
            {
                foreach (var nested in Settings(key + ":{n}", element, seen))
                {
                    yield return nested;
                }
            }
            else
            {
                yield return key;
            }
        }
    }

    private static Type? ElementType(Type type) =>
        type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>) ? type.GetGenericArguments()[0] : null;

    private static bool IsScalar(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(TimeSpan) || type == typeof(Uri) || type == typeof(decimal);
    }

    private static (HashSet<string> Code, HashSet<Type> Reached) FromCode()
    {
        var reached = new HashSet<Type>();
        var settings = BoundOptions().SelectMany(o => Settings(o.Section, o.Type, reached)).ToHashSet(StringComparer.Ordinal);
        return (settings, reached);
    }

    private static List<string> Rows() =>
        File.ReadAllLines(Path.Combine(Requirements.RepositoryRoot, "docs", "CONFIGURATION.md"))
            .Select(line => SettingRow().Match(line))
            .Where(match => match.Success)
            .Select(match => match.Groups[1].Value)
            .ToList();

    [Fact]
    public void ConfigurationDoc_ListsEverySettingOfTheOptionsClasses_AndNoOther()
    {
        var (code, _) = FromCode();
        var documented = Rows();

        Assert.True(code.Count >= 60, $"only {code.Count} settings found by reflection");
        Assert.Empty(code.Except(documented).Order(StringComparer.Ordinal)); // settings missing from docs/CONFIGURATION.md
        Assert.Empty(documented.Except(code).Order(StringComparer.Ordinal)); // rows naming no setting
        Assert.Empty(documented.GroupBy(d => d).Where(g => g.Count() > 1).Select(g => g.Key)); // listed once
    }

    [Fact]
    public void ConfigurationDoc_GivesEachSettingItsEnvironmentVariableForm()
    {
        var lines = File.ReadAllLines(Path.Combine(Requirements.RepositoryRoot, "docs", "CONFIGURATION.md"));
        Assert.NotEmpty(lines);
        foreach (var line in lines.Where(l => SettingRow().IsMatch(l)))
        {
            var setting = SettingRow().Match(line).Groups[1].Value;
            var variable = setting.Replace("{n}", "0", StringComparison.Ordinal).Replace(":", "__", StringComparison.Ordinal);
            Assert.True(line.Contains($"`{variable}`", StringComparison.Ordinal) || line.Contains($"`{variable}__0`", StringComparison.Ordinal),
                $"{setting}: its row should name `{variable}` (or `{variable}__0` for a list)");
        }
    }

    [Fact]
    public void OptionsClasses_OfTheServer_AreAllBoundFromASection()
    {
        var (_, reached) = FromCode();

        var unbound = Server.GetTypes()
            .Where(t => t.IsClass && t.Name.EndsWith("Options", StringComparison.Ordinal) && !reached.Contains(t)
                && t.GetProperties(BindingFlags.Public | BindingFlags.Instance).Any(p => p.SetMethod?.IsPublic == true))
            .Select(t => t.FullName)
            .ToList();

        Assert.Empty(unbound); // an *Options class with no Section constant is missing from the reference
    }
}
