namespace Herald.Server.Transformations;

/// <summary>Headers a transformation may not set: Herald writes them itself (signatures, body framing, identity).</summary>
internal static class ReservedHeaders
{
    private static readonly HashSet<string> Names = new(StringComparer.OrdinalIgnoreCase)
    {
        "webhook-id", "webhook-timestamp", "webhook-signature", "svix-id", "svix-timestamp", "svix-signature",
        "host", "content-length", "content-type", "transfer-encoding", "connection", "user-agent", "te", "upgrade", "trailer",
    };

    public static bool IsAllowed(string name, string value) =>
        name.Length is > 0 and <= 256 && value.Length <= 4096 && !Names.Contains(name)
        && name.All(c => c is > ' ' and < (char)127 and not (':' or '(' or ')' or ',' or '/' or ';' or '<' or '=' or '>' or '?' or '@' or '[' or '\\' or ']' or '{' or '}' or '"'))
        && !value.Any(c => c is '\r' or '\n' or '\0');
}
