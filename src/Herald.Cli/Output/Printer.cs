using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Herald.Client;

namespace Herald.Cli.Output;

/// <summary>Prints what a command got back: the API's JSON with <c>--json</c>, else a table.</summary>
internal static class Printer
{
    // Reflection-based rather than source-generated: the client's DTOs carry converters internal to Herald.Client,
    // which a generated context in this assembly cannot reference. The CLI is not trimmed, so this costs nothing.
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static void Json<T>(TextWriter output, T value) => output.WriteLine(JsonSerializer.Serialize(value, JsonOptions));

    public static void List<T>(TextWriter output, bool json, ListResponse<T> page, IReadOnlyList<string> headers, Func<T, IReadOnlyList<string>> row)
    {
        if (json)
        {
            Json(output, page);
            return;
        }

        Table.Write(output, headers, page.Data.Select(row));
        if (!page.Done && page.Iterator is not null)
        {
            output.WriteLine($"(more: --iterator {page.Iterator})");
        }
    }

    public static void One<T>(TextWriter output, bool json, T value, IReadOnlyList<string> headers, Func<T, IReadOnlyList<string>> row)
    {
        if (json)
        {
            Json(output, value);
            return;
        }

        Table.Write(output, headers, [row(value)]);
    }

    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string Join(IReadOnlyList<string>? items, string empty = "*") => items is null or [] ? empty : string.Join(',', items);
}
