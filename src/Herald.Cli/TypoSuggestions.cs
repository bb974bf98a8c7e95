using System.CommandLine;
using System.CommandLine.Parsing;

namespace Herald.Cli;

/// <summary>
/// "Did you mean" for a command or option the parser did not recognise: the nearest names (Levenshtein distance, as
/// System.CommandLine's own ParseErrorAction measures it) among the subcommands and options valid at that point.
/// Done here rather than with ParseErrorAction because that action prints the suggestions to stdout and colours
/// stderr through <see cref="Console"/> whatever NO_COLOR says.
/// </summary>
internal static class TypoSuggestions
{
    private const int MaxDistance = 3;

    public static IReadOnlyList<string> For(ParseResult parseResult, string token)
    {
        var candidates = new List<string>();
        for (var command = parseResult.CommandResult; command is not null; command = command.Parent as CommandResult)
        {
            var isTarget = command == parseResult.CommandResult;
            candidates.AddRange(command.Command.Options.Where(o => !o.Hidden && (isTarget || o.Recursive)).SelectMany(o => o.Aliases.Prepend(o.Name)));
            if (isTarget)
            {
                candidates.AddRange(command.Command.Subcommands.Where(c => !c.Hidden).SelectMany(c => c.Aliases.Prepend(c.Name)));
            }
        }

        var scored = candidates.Distinct()
            .Select(name => (name, distance: name.StartsWith(token, StringComparison.Ordinal) && token.Length >= 3 ? 1 : Distance(token, name)))
            .Where(c => c.distance <= Math.Min(MaxDistance, Math.Max(1, token.Length / 2)))
            .ToList();
        return scored.Count == 0 ? [] : [.. scored.Where(c => c.distance == scored.Min(s => s.distance)).Select(c => c.name).Order(StringComparer.Ordinal)];
    }

    private static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        var current = new int[b.Length + 1];
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
