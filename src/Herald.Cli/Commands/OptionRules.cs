using System.CommandLine.Parsing;
using System.Globalization;
using System.Text.RegularExpressions;
using Herald.Cli.Listen;

namespace Herald.Cli.Commands;

/// <summary>
/// Checks and parsers for option values, run by the parser: a bad value is a usage error (exit 2) that names the
/// option, says what it must be and shows what was given, before anything is sent to the server.
/// </summary>
internal static partial class OptionRules
{
    public static void HttpUrl(OptionResult result)
    {
        foreach (var token in result.Tokens)
        {
            if (!Uri.TryCreate(token.Value, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            {
                result.AddError($"{Name(result)} must be an absolute http:// or https:// URL, not '{token.Value}'.");
            }
        }
    }

    /// <summary>A <c>webhook-timestamp</c> value: Unix seconds, digits only (a signature covers the exact text).</summary>
    public static void UnixSeconds(OptionResult result)
    {
        foreach (var token in result.Tokens)
        {
            if (!Digits().IsMatch(token.Value))
            {
                result.AddError($"{Name(result)} must be Unix seconds (digits only, e.g. 1614265330), not '{token.Value}'.");
            }
        }
    }

    public static void Secret(OptionResult result)
    {
        foreach (var token in result.Tokens)
        {
            if (!WebhookSecret.TryParse(token.Value, out _))
            {
                result.AddError($"{Name(result)} must be whsec_ followed by a base64 key (e.g. whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw), not '{token.Value}'.");
            }
        }
    }

    /// <summary>A uid Herald accepts: letters, digits, '-', '_', '.'; at most 256 characters.</summary>
    public static void Uid(OptionResult result)
    {
        foreach (var token in result.Tokens)
        {
            if (!UidPattern().IsMatch(token.Value))
            {
                result.AddError($"{Name(result)} must be 1-256 letters, digits, '-', '_' or '.', not '{token.Value}'.");
            }
        }
    }

    /// <summary>A parser for a whole number in [min, max], with a message that says so (not "cannot parse as Int32").</summary>
    public static Func<ArgumentResult, int?> IntegerIn(int min, int max) => result =>
    {
        var text = result.Tokens.Single().Value;
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }

        result.AddError($"{Name(result)} must be a whole number from {min} to {max}, not '{text}'.");
        return null;
    };

    /// <summary>A duration: <c>500ms</c>, <c>30s</c>, <c>5m</c>, <c>2h</c>, <c>1d</c>, or 0.</summary>
    public static Func<ArgumentResult, TimeSpan?> Duration(TimeSpan max) => result =>
    {
        var text = result.Tokens.Single().Value;
        if (TryParseDuration(text, out var duration) && duration <= max)
        {
            return duration;
        }

        result.AddError($"{Name(result)} must be a duration like 500ms, 30s, 5m or 2h (at most {max:g}), not '{text}'.");
        return null;
    };

    /// <summary>A point in time: ISO 8601 (<c>2026-11-26T12:00:00Z</c>, a date is midnight UTC), or a duration ago (<c>15m</c>, <c>2h</c>, <c>1d</c>).</summary>
    public static Func<ArgumentResult, DateTimeOffset?> PointInTime(TimeProvider time) => result =>
    {
        var text = result.Tokens.Single().Value;
        if (TryParseDuration(text, out var ago))
        {
            return time.GetUtcNow() - ago;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at))
        {
            return at;
        }

        result.AddError($"{Name(result)} must be an ISO 8601 time (2026-11-26T12:00:00Z) or a duration ago (15m, 2h, 1d), not '{text}'.");
        return null;
    };

    public static bool TryParseDuration(string text, out TimeSpan duration)
    {
        duration = default;
        var match = DurationPattern().Match(text);
        if (!match.Success || !long.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var amount) || amount > 1_000_000)
        {
            return false;
        }

        duration = match.Groups[2].Value switch
        {
            "ms" => TimeSpan.FromMilliseconds(amount),
            "s" => TimeSpan.FromSeconds(amount),
            "m" => TimeSpan.FromMinutes(amount),
            "h" => TimeSpan.FromHours(amount),
            "d" => TimeSpan.FromDays(amount),
            _ when amount == 0 => TimeSpan.Zero,
            _ => TimeSpan.MinValue,
        };
        return duration >= TimeSpan.Zero;
    }

    private static string Name(SymbolResult result) => result switch
    {
        OptionResult option => option.Option.Name,
        ArgumentResult { Parent: OptionResult option } => option.Option.Name,
        ArgumentResult argument => argument.Argument.Name,
        _ => "the value",
    };

    [GeneratedRegex("^[0-9]{1,19}$")]
    private static partial Regex Digits();

    [GeneratedRegex("^[A-Za-z0-9._-]{1,256}$")]
    private static partial Regex UidPattern();

    [GeneratedRegex("^([0-9]+)(ms|s|m|h|d|)$")]
    private static partial Regex DurationPattern();
}
