namespace Herald.Server.Api;

/// <summary>
/// Which characters Herald accepts in text it stores and later writes elsewhere (JSON bodies, HTTP headers, logs,
/// terminals). One place, so identifiers, URLs and headers are judged alike everywhere.
/// </summary>
internal static class TextRules
{
    /// <summary>
    /// True when <paramref name="value"/> holds a control character: C0 (NUL to 0x1F), DEL, C1 (0x80–0x9F), or a
    /// Unicode line or paragraph separator. Line feed, carriage return and tab pass when
    /// <paramref name="allowLineBreaks"/>.
    /// </summary>
    public static bool HasControlCharacter(string value, bool allowLineBreaks)
    {
        foreach (var c in value)
        {
            if ((char.IsControl(c) || c is '\u2028' or '\u2029') && !(allowLineBreaks && c is '\n' or '\r' or '\t'))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when <paramref name="value"/> holds whitespace of any kind (space, tab, line breaks, NBSP) or a control character.</summary>
    public static bool HasControlOrWhitespace(string value)
    {
        foreach (var c in value)
        {
            if (char.IsControl(c) || char.IsWhiteSpace(c))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>An HTTP field name (RFC 9110 token): 1 or more visible ASCII characters but delimiters.</summary>
    public static bool IsHeaderName(string name)
    {
        if (name.Length == 0)
        {
            return false;
        }

        foreach (var c in name)
        {
            if (c is <= ' ' or > '~' || "\"(),/:;<=>?@[\\]{}".Contains(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// An HTTP field value Herald sends as given: printable ASCII (0x20–0x7E) only. Anything else is either unsafe
    /// (CR, LF and NUL split or cut headers; other control characters are sent raw) or not sendable (.NET's client
    /// refuses non-ASCII values, so every delivery would fail).
    /// </summary>
    public static bool IsHeaderValue(string value)
    {
        foreach (var c in value)
        {
            if (c is < ' ' or > '~')
            {
                return false;
            }
        }

        return true;
    }
}
