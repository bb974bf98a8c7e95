namespace Herald.Client.Http;

/// <summary>API paths with every id or uid escaped as one path segment.</summary>
internal static class ApiPath
{
    public const string Root = "api/v1/";

    public static string Escape(string segment)
    {
        ArgumentException.ThrowIfNullOrEmpty(segment);
        return Uri.EscapeDataString(segment);
    }

    public static string App(string appId) => $"{Root}app/{Escape(appId)}";
}
