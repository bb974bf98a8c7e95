using System.CommandLine;

namespace Herald.Cli.Commands;

/// <summary>Options several commands share, so they read and are described the same everywhere.</summary>
internal static class CommonOptions
{
    public static Option<string> App() => new("--app")
    {
        Description = "Application id (app_...) or uid.",
        HelpName = "app",
        Required = true,
    };

    public static Option<string> EventTypes(string description) => new("--event-types")
    {
        Description = description,
        HelpName = "a,b",
    };

    public static Option<int?> Limit() => new("--limit")
    {
        Description = "How many items to show (one page, 1-250; default 50).",
        CustomParser = OptionRules.IntegerIn(1, 250),
    };

    public static Option<string> Iterator() => new("--iterator")
    {
        Description = "Continue a listing where the previous page ended (its 'next' iterator).",
    };

    /// <summary><c>{"deleted": id}</c> with <c>--json</c>, else a sentence.</summary>
    public static Task PrintDoneAsync(CliContext context, System.CommandLine.ParseResult parseResult, string verb, string id) =>
        context.Json(parseResult)
            ? context.Output.WriteLineAsync(Output.Printer.JsonLine(new Dictionary<string, string> { [verb] = id }))
            : context.Output.WriteLineAsync($"{verb} {id}");

    public static IReadOnlyList<string>? SplitList(string? text) =>
        string.IsNullOrWhiteSpace(text) ? null : text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
