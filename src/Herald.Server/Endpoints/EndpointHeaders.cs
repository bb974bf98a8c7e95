using Herald.Server.Api;

namespace Herald.Server.Endpoints;

/// <summary>
/// Custom headers an endpoint's deliveries carry. Names that Herald itself sets (signatures, framing) are
/// refused; credential-like ones are "sensitive": stored and sent, but never echoed back by the API.
/// </summary>
internal static class EndpointHeaders
{
    public const int MaxHeaders = 20;
    public const int MaxValueLength = 4096;

    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "host", "content-length", "content-type", "content-encoding", "transfer-encoding", "connection", "keep-alive",
        "upgrade", "te", "trailer", "expect", "user-agent", "proxy-connection",
        "webhook-id", "webhook-timestamp", "webhook-signature", "svix-id", "svix-timestamp", "svix-signature",
    };

    private static readonly string[] SensitiveMarkers = ["authorization", "cookie", "token", "secret", "password", "api-key", "apikey"];

    public static bool IsSensitive(string name) =>
        SensitiveMarkers.Any(m => name.Contains(m, StringComparison.OrdinalIgnoreCase));

    public static EndpointHeadersOut ToOut(IReadOnlyDictionary<string, string> headers) => new(
        headers.Where(h => !IsSensitive(h.Key)).ToDictionary(h => h.Key, h => h.Value),
        headers.Keys.Where(IsSensitive).ToList());

    public static void Validate(Validator v, string at, IReadOnlyDictionary<string, string>? headers)
    {
        if (headers is null)
        {
            return;
        }

        if (headers.Count > MaxHeaders)
        {
            v.Add(at, "too_many_items", $"may hold at most {MaxHeaders} headers.");
        }

        // The header's name is the last part of the location, whole (names may hold dots), and the message names it too.
        foreach (var (name, value) in headers)
        {
            if (name.Length > 256 || !TextRules.IsHeaderName(name))
            {
                v.Add(at, name, "invalid_header_name", $"'{name}' is not a valid HTTP header name: 1 to 256 visible ASCII characters, no separators such as ':' or spaces.");
            }
            else if (Reserved.Contains(name) || name.StartsWith("svix-", StringComparison.OrdinalIgnoreCase) || name.StartsWith("webhook-", StringComparison.OrdinalIgnoreCase))
            {
                v.Add(at, name, "reserved_header", $"'{name}' is set by Herald itself and cannot be overridden.");
            }
            else if (value is null || value.Length > MaxValueLength || !TextRules.IsHeaderValue(value))
            {
                v.Add(at, name, "invalid_header_value", $"the value of '{name}' must be at most {MaxValueLength} printable ASCII characters (0x20-0x7E): no line breaks, tabs, control or non-ASCII characters.");
            }
        }
    }
}
