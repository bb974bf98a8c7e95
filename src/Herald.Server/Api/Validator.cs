using System.Globalization;
using System.Text.RegularExpressions;

namespace Herald.Server.Api;

/// <summary>Collects every problem of a request, then refuses it once with all of them (422).</summary>
internal sealed partial class Validator
{
    public const int MaxUidLength = 256;
    public const int MaxNameLength = 256;
    public const int MaxDescriptionLength = 4096;
    public const int MaxUrlLength = 2048;
    public const int MaxChannels = 10;
    public const int MaxChannelLength = 128;
    public const int MaxMetadataEntries = 64;

    private readonly List<ValidationItem> _errors = [];

    // \z, not $: in .NET (as in most regex engines) $ also matches before a final "\n", so "bad.ev\n" passed, was
    // stored, and broke every JSON body that later quoted it by hand. The patterns below are the only place an
    // identifier's characters are decided; everything that checks one calls them.
    [GeneratedRegex("^[a-zA-Z0-9\\-_.]+\\z")]
    public static partial Regex IdentifierPattern();

    [GeneratedRegex("^[a-zA-Z0-9\\-_.:]+\\z")]
    private static partial Regex ChannelPattern();

    public bool IsValid => _errors.Count == 0;

    public Validator Add(string location, string type, string message)
    {
        _errors.Add(ValidationItem.At(location, type, message));
        return this;
    }

    /// <summary>As <see cref="Add(string, string, string)"/>, for a location whose last part may itself hold dots (a header name, a metadata key).</summary>
    public Validator Add(string location, string key, string type, string message)
    {
        _errors.Add(new ValidationItem([.. location.Split('.'), key], message, type));
        return this;
    }

    public void ThrowIfInvalid()
    {
        if (_errors.Count > 0)
        {
            throw ApiException.Invalid(_errors);
        }
    }

    public bool Required(string location, object? value)
    {
        if (value is null || value is string { Length: 0 })
        {
            Add(location, "missing", "is required.");
            return false;
        }

        return true;
    }

    /// <summary>
    /// Free text of at most <paramref name="maxLength"/> characters, without control characters (NUL, escape
    /// sequences and the like, which PostgreSQL refuses and terminals obey); <paramref name="singleLine"/> text (a
    /// name) has no line breaks or tabs either, other text (a description) may.
    /// </summary>
    public Validator Text(string location, string? value, int maxLength, bool required = false, bool singleLine = false)
    {
        if (required && !Required(location, value))
        {
            return this;
        }

        if (value is not null && value.Length > maxLength)
        {
            Add(location, "string_too_long", $"must be at most {maxLength} characters.");
        }
        else if (value is not null && TextRules.HasControlCharacter(value, allowLineBreaks: !singleLine))
        {
            Add(location, "invalid_characters", singleLine
                ? "must not contain control characters (line breaks, tabs, NUL and the like)."
                : "must not contain control characters other than line breaks and tabs.");
        }

        return this;
    }

    /// <summary>A uid, event id or event-type name: 1–256 of letters, digits, '-', '_' and '.'.</summary>
    public Validator Identifier(string location, string? value, bool required = false, string? forbiddenPrefix = null)
    {
        if (required && !Required(location, value))
        {
            return this;
        }

        if (value is null)
        {
            return this;
        }

        if (value.Length is 0 or > MaxUidLength)
        {
            Add(location, "string_length", $"must be 1 to {MaxUidLength} characters.");
        }
        else if (!IdentifierPattern().IsMatch(value))
        {
            Add(location, "pattern_mismatch", "may contain only letters, digits, '-', '_' and '.'.");
        }
        else if (forbiddenPrefix is not null && value.StartsWith(forbiddenPrefix, StringComparison.Ordinal))
        {
            Add(location, "pattern_mismatch", $"must not start with '{forbiddenPrefix}', which marks ids.");
        }

        return this;
    }

    public Validator Url(string location, string? value)
    {
        if (!Required(location, value))
        {
            return this;
        }

        if (value!.Length > MaxUrlLength)
        {
            Add(location, "string_too_long", $"must be at most {MaxUrlLength} characters.");
        }
        else if (TextRules.HasControlOrWhitespace(value))
        {
            Add(location, "invalid_url", "must not contain whitespace or control characters; percent-encode them (%20).");
        }
        else if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) || uri.Host.Length == 0)
        {
            Add(location, "invalid_url", "must be an absolute http:// or https:// URL.");
        }
        else if (uri.UserInfo.Length > 0)
        {
            Add(location, "invalid_url", "must not carry user:password; use endpoint headers for credentials.");
        }

        return this;
    }

    /// <summary>A date-time query parameter read by hand (routes whose query is not bound from a record); null when absent or malformed (then recorded).</summary>
    public DateTimeOffset? QueryTime(HttpRequest request, string name)
    {
        var text = request.Query[name].ToString();
        if (text.Length == 0)
        {
            return null;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value))
        {
            return value;
        }

        Add($"query.{name}", "invalid_datetime", "must be an ISO 8601 date-time, e.g. 2026-01-31T12:00:00Z.");
        return null;
    }

    public Validator Range(string location, int? value, int min, int max)
    {
        if (value is { } v && (v < min || v > max))
        {
            Add(location, "out_of_range", $"must be from {min} to {max}.");
        }

        return this;
    }

    public Validator Channels(string location, IReadOnlyList<string>? channels, int max = MaxChannels)
    {
        if (channels is null)
        {
            return this;
        }

        if (channels.Count > max)
        {
            Add(location, "too_many_items", $"may hold at most {max} items.");
        }

        for (var i = 0; i < channels.Count; i++)
        {
            var channel = channels[i];
            if (string.IsNullOrEmpty(channel) || channel.Length > MaxChannelLength || !ChannelPattern().IsMatch(channel))
            {
                Add($"{location}.{i}", "pattern_mismatch", $"must be 1 to {MaxChannelLength} letters, digits, '-', '_', '.' or ':'.");
            }
        }

        return this;
    }

    public Validator Names(string location, IReadOnlyList<string>? names, int max)
    {
        if (names is null)
        {
            return this;
        }

        if (names.Count > max)
        {
            Add(location, "too_many_items", $"may hold at most {max} items.");
        }

        for (var i = 0; i < names.Count; i++)
        {
            Identifier($"{location}.{i}", names[i], required: true);
        }

        return this;
    }

    public Validator Metadata(string location, IReadOnlyDictionary<string, string>? metadata)
    {
        if (metadata is null)
        {
            return this;
        }

        if (metadata.Count > MaxMetadataEntries)
        {
            Add(location, "too_many_items", $"may hold at most {MaxMetadataEntries} entries.");
        }

        foreach (var (key, value) in metadata)
        {
            if (key.Length is 0 or > MaxNameLength || value is null || value.Length > MaxDescriptionLength)
            {
                Add(location, key, "invalid_value", $"keys must be 1 to {MaxNameLength} characters and values strings of at most {MaxDescriptionLength}.");
            }
            else if (TextRules.HasControlCharacter(key, allowLineBreaks: false) || TextRules.HasControlCharacter(value, allowLineBreaks: true))
            {
                Add(location, key, "invalid_characters", "keys must not contain control characters, nor values any but line breaks and tabs.");
            }
        }

        return this;
    }
}
