namespace Herald.Cli.Output;

/// <summary>
/// ANSI colours for one output stream, or none. On when the stream is a terminal, and off when it is piped or
/// redirected, when <c>NO_COLOR</c> is set to anything (https://no-color.org) or when <c>TERM=dumb</c>; so scripts and
/// logs never see escape codes.
/// </summary>
internal sealed class Ansi(bool enabled)
{
    public static readonly Ansi None = new(false);

    public bool Enabled { get; } = enabled;

    /// <summary>Whether a stream should be coloured, from what the process knows about it and its environment.</summary>
    public static bool ShouldColour(bool redirected, string? noColor, string? term) =>
        !redirected && string.IsNullOrEmpty(noColor) && !string.Equals(term, "dumb", StringComparison.Ordinal);

    /// <summary>The styles for the process's stdout and stderr.</summary>
    public static (Ansi Output, Ansi Error) ForConsole()
    {
        var noColor = Environment.GetEnvironmentVariable("NO_COLOR");
        var term = Environment.GetEnvironmentVariable("TERM");
        return (new Ansi(ShouldColour(Console.IsOutputRedirected, noColor, term)), new Ansi(ShouldColour(Console.IsErrorRedirected, noColor, term)));
    }

    public string Bold(string text) => Wrap("1", text);

    public string Dim(string text) => Wrap("2", text);

    public string Red(string text) => Wrap("31", text);

    public string Green(string text) => Wrap("32", text);

    public string Yellow(string text) => Wrap("33", text);

    public string Cyan(string text) => Wrap("36", text);

    /// <summary>Green for a 2xx status, yellow for 3xx, red for the rest.</summary>
    public string Status(int? code, string text) => code switch
    {
        >= 200 and < 300 => Green(text),
        >= 300 and < 400 => Yellow(text),
        _ => Red(text),
    };

    private string Wrap(string code, string text) => Enabled && text.Length > 0 ? $"\e[{code}m{text}\e[0m" : text;
}
