namespace Herald.Receiver;

/// <summary>Case-insensitive header lookup over whatever the caller has (a dictionary or a delegate).</summary>
internal readonly struct WebhookHeaders(Func<string, string?> lookup)
{
    public string? this[string name] => lookup(name) is { Length: > 0 } value ? value.Trim() : null;

    public static WebhookHeaders From(IReadOnlyDictionary<string, string> headers) => new(name =>
    {
        if (headers.TryGetValue(name, out var exact))
        {
            return exact;
        }

        foreach (var (key, value) in headers)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        return null;
    });
}
