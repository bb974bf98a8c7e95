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

        foreach (var (name, value) in headers)
        {
            if (name.Length is 0 or > 256 || name.Any(c => c > 126 || c <= 32 || "\"(),/:;<=>?@[\\]{}".Contains(c)))
            {
                v.Add($"{at}.{name}", "invalid_header_name", "is not a valid HTTP header name.");
            }
            else if (Reserved.Contains(name) || name.StartsWith("svix-", StringComparison.OrdinalIgnoreCase) || name.StartsWith("webhook-", StringComparison.OrdinalIgnoreCase))
            {
                v.Add($"{at}.{name}", "reserved_header", "is set by Herald itself and cannot be overridden.");
            }
            else if (value is null || value.Length > MaxValueLength || value.Any(c => c is '\r' or '\n' or '\0'))
            {
                v.Add($"{at}.{name}", "invalid_header_value", $"must be a single-line string of at most {MaxValueLength} characters.");
            }
        }
    }
}
