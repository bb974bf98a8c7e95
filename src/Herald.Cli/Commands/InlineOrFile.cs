using System.Text.Json;

namespace Herald.Cli.Commands;

/// <summary>Reads a value given inline or as <c>@path</c> (curl's convention).</summary>
internal static class InlineOrFile
{
    public static async Task<byte[]> ReadBytesAsync(string value, CancellationToken cancellationToken)
    {
        if (!value.StartsWith('@'))
        {
            return System.Text.Encoding.UTF8.GetBytes(value);
        }

        try
        {
            return await File.ReadAllBytesAsync(value[1..], cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot read {value[1..]}: {e.Message}");
        }
    }

    public static async Task<string> ReadTextAsync(string value, CancellationToken cancellationToken) =>
        System.Text.Encoding.UTF8.GetString(await ReadBytesAsync(value, cancellationToken));

    public static async Task<JsonElement> ReadObjectAsync(string value, CancellationToken cancellationToken, string option = "--data")
    {
        var bytes = await ReadBytesAsync(value, cancellationToken);
        try
        {
            using var document = JsonDocument.Parse(bytes);
            return document.RootElement.ValueKind == JsonValueKind.Object
                ? document.RootElement.Clone()
                : throw new UsageException($"{option} must be a JSON object, e.g. '{{\"invoice\": 1001}}'.");
        }
        catch (JsonException e)
        {
            throw new UsageException($"{option} is not valid JSON: {e.Message}");
        }
    }
}
