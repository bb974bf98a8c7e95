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

    /// <summary>
    /// A page from rows read one at a time (an unbuffered query with <c>LIMIT page.Limit + 1</c>), ended early by the
    /// page's byte budget over <paramref name="size"/>; the rows after the page are never read.
    /// </summary>
    public static async Task<Page<T>> ToPageAsync<TRow, T>(IAsyncEnumerable<TRow> rows, PageRequest page, Func<TRow, long> size, Func<TRow, T> map)
    {
        var (taken, hasMore) = await TakeAsync(rows, page.Limit, page.MaxBytes, size);
        var items = taken.ConvertAll(r => map(r));
        if (page.Backward)
        {
            items.Reverse();
        }

        return new Page<T>(items, hasMore);
    }

    /// <summary>
    /// Reads up to <paramref name="limit"/> rows, stopping before the row that would take their <paramref name="size"/>s
    /// past <paramref name="maxBytes"/> (the first row is always taken, however big). More is true when a row was read
    /// and left out, so there is more after the items. Only the rows taken (and at most one more) are ever held.
    /// </summary>
    public static async Task<(List<T> Items, bool More)> TakeAsync<T>(IAsyncEnumerable<T> rows, int limit, long maxBytes, Func<T, long> size)
    {
        var items = new List<T>();
        long bytes = 0;
        await foreach (var row in rows)
        {
            var rowBytes = size(row);
            if (items.Count == limit || (items.Count > 0 && bytes + rowBytes > maxBytes))
            {
                return (items, true);
            }

            items.Add(row);
            bytes += rowBytes;
        }

        return (items, false);
    }
}
