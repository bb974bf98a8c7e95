using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Herald.Client;

namespace Herald.Cli.Output;

/// <summary>Prints what a command got back: the API's JSON with <c>--json</c>, else a table.</summary>
internal static class Printer
{
    // Reflection-based rather than source-generated: the client's DTOs carry converters internal to Herald.Client,
    // which a generated context in this assembly cannot reference. The CLI is not trimmed, so this costs nothing.
    // Relaxed escaping: the default encoder writes " as \u0022 and non-ASCII as \uXXXX, which is valid JSON but
    // unreadable and breaks grep; this output goes to a terminal or a pipe, never into HTML.
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The same, on one line: for a stream of events (<c>listen --json</c>), one JSON object per line.</summary>
    private static readonly JsonSerializerOptions JsonLineOptions = new(JsonOptions) { WriteIndented = false };

    public static void Json<T>(TextWriter output, T value) => output.WriteLine(JsonSerializer.Serialize(value, JsonOptions));

    public static string JsonLine<T>(T value) => JsonSerializer.Serialize(value, JsonLineOptions);

    public static void List<T>(
        CliContext context, bool json, ListResponse<T> page, IReadOnlyList<string> headers, Func<T, IReadOnlyList<string>> row, Func<int, string, string>? colour = null)
    {
        if (json)
        {
            Json(context.Output, page);
            return;
        }

        Table.Write(context.Output, headers, page.Data.Select(row), context.OutputAnsi, colour);
        if (!page.Done && page.Iterator is not null)
        {
            context.Output.WriteLine(context.OutputAnsi.Dim($"(more: --iterator {page.Iterator})"));
        }
    }

    public static void One<T>(CliContext context, bool json, T value, IReadOnlyList<string> headers, Func<T, IReadOnlyList<string>> row)
    {
        if (json)
        {
            Json(context.Output, value);
            return;
        }

        Table.Write(context.Output, headers, [row(value)], context.OutputAnsi);
    }

    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string Join(IReadOnlyList<string>? items, string empty = "*") => items is null or [] ? empty : string.Join(',', items);
}
