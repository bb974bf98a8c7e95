using System.Globalization;
using System.Reflection;

namespace Herald.Server.Storage;

/// <summary>What every storage engine does the same way: numbered migrations embedded in the assembly, keyset pages.</summary>
internal static class StoreCommon
{
    /// <summary>The migrations under a resource prefix (e.g. <c>Herald.Server.Storage.Sqlite.Migrations.</c>), by number.</summary>
    public static IEnumerable<(long Version, string Name, string Sql)> LoadMigrations(string resourcePrefix)
    {
        var assembly = Assembly.GetExecutingAssembly();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(resourcePrefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            var name = resource[resourcePrefix.Length..];
            var version = long.Parse(name[..name.IndexOf('_', StringComparison.Ordinal)], CultureInfo.InvariantCulture);
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            yield return (version, name, reader.ReadToEnd());
        }
    }

    /// <summary>A page from rows read with one extra (which only says that there is more), in the caller's order.</summary>
    public static Page<T> ToPage<T>(IEnumerable<T> rows, PageRequest page)
    {
        var items = rows.ToList();
        var hasMore = items.Count > page.Limit;
        if (hasMore)
        {
            items.RemoveAt(items.Count - 1);
        }

        if (page.Backward)
        {
            items.Reverse();
        }

        return new Page<T>(items, hasMore);
    }
}
