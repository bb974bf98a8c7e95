using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Herald.Server.Api;

/// <summary>A request body read as JSON: the typed value, the raw document, and which top-level fields were sent.</summary>
internal sealed class JsonBody<T>(T value, JsonDocument document) : IDisposable
{
    public T Value { get; } = value;
    public JsonElement Root => document.RootElement;

    /// <summary>True when the field was present in the body (even as null): PATCH tells "clear" from "leave".</summary>
    public bool Has(string name)
    {
        foreach (var property in document.RootElement.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    public void Dispose() => document.Dispose();
}

/// <summary>
/// Reads request bodies by hand rather than through minimal-API binding, so that every way a body can be
/// wrong gets its own precise answer: too large (413), not JSON (400 <c>invalid_json</c>), a field of the
/// wrong type (422 with its location).
/// </summary>
internal static class JsonBody
{
    public static async Task<JsonBody<T>> ReadAsync<T>(HttpRequest request, JsonTypeInfo<T> type, CancellationToken cancellationToken) =>
        Parse(await ReadBytesAsync(request, cancellationToken), type);

    /// <summary>The same checks on a body that did not come from a request (a GraphQL mutation's input, serialized).</summary>
    public static JsonBody<T> Parse<T>(byte[] bytes, JsonTypeInfo<T> type)
    {
        if (bytes.Length == 0)
        {
            throw ApiException.BadJson("The request body is empty; send a JSON object.");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            throw ApiException.BadJson($"The request body is not valid JSON: {e.Message}");
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            throw ApiException.BadJson("The request body must be a JSON object.");
        }

        // An escaped lone surrogate ("\uD800") parses, but no string can hold it: stored as raw JSON (payloads,
        // schemas) it would fail every later read that writes it back. Only bodies with an escape need the walk.
        if (bytes.AsSpan().IndexOf("\\u"u8) >= 0 && !HasOnlyWholeCharacters(document.RootElement))
        {
            document.Dispose();
            throw ApiException.BadJson("The request body escapes half of a UTF-16 surrogate pair (\\uD800-\\uDFFF without its other half).");
        }

        try
        {
            var value = document.RootElement.Deserialize(type) ?? throw ApiException.BadJson("The request body must be a JSON object.");
            return new JsonBody<T>(value, document);
        }
        catch (JsonException e)
        {
            document.Dispose();
            var path = (e.Path ?? "$").TrimStart('$').TrimStart('.');
            var location = path.Length == 0 ? "body" : $"body.{path}";
            throw ApiException.Invalid(location, "invalid_type", $"has the wrong type ({ExpectedOf(type, path) ?? Expected(e.Message)}).");
        }
    }

    /// <summary>
    /// What a top-level field holds, from its declared type. The exception's message cannot say: for nullable
    /// fields and nested objects it names the type of the whole body ("converted to Herald.Server…").
    /// </summary>
    private static string? ExpectedOf(JsonTypeInfo type, string path)
    {
        var property = type.Properties.FirstOrDefault(p => string.Equals(p.Name, path, StringComparison.OrdinalIgnoreCase));
        if (property is null || property.PropertyType == typeof(JsonElement?))
        {
            return null;
        }

        var declared = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        return declared == typeof(string) ? "expected a string"
            : declared == typeof(int) || declared == typeof(long) ? "expected an integer"
            : declared == typeof(bool) ? "expected true or false"
            : typeof(IEnumerable<KeyValuePair<string, string>>).IsAssignableFrom(declared) ? "expected an object of strings"
            : typeof(IEnumerable<string>).IsAssignableFrom(declared) ? "expected an array of strings"
            : "expected an object";
    }

    private static bool HasOnlyWholeCharacters(JsonElement element)
    {
        try
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (var property in element.EnumerateObject())
                    {
                        _ = property.Name;
                        if (!HasOnlyWholeCharacters(property.Value))
                        {
                            return false;
                        }
                    }

                    return true;
                case JsonValueKind.Array:
                    return element.EnumerateArray().All(HasOnlyWholeCharacters);
                case JsonValueKind.String:
                    _ = element.GetString();
                    return true;
                default:
                    return true;
            }
        }
        catch (InvalidOperationException)
        {
            // System.Text.Json: "Cannot read incomplete UTF-16 JSON text as string with missing low surrogate."
            return false;
        }
    }

    private static string Expected(string message)
    {
        // System.Text.Json says "The JSON value could not be converted to System.Int32. Path: ..."
        const string marker = "converted to ";
        var start = message.IndexOf(marker, StringComparison.Ordinal);
        if (start < 0)
        {
            return "not of the expected type";
        }

        if (message[(start + marker.Length)..].Split(['.', ' '], StringSplitOptions.RemoveEmptyEntries) is not ["System", var type, ..])
        {
            return "not of the expected type";
        }

        return "expected " + type switch
        {
            "String" => "a string",
            "Int32" or "Int64" => "an integer",
            "Boolean" => "true or false",
            "Collections" => "an array or object of strings",
            _ => type,
        };
    }

    public static async Task<byte[]> ReadBytesAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var limit = request.HttpContext.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<ApiOptions>>().Value.MaxRequestBodyBytes;
        if (request.ContentLength > limit)
        {
            throw TooLarge(limit);
        }

        try
        {
            if (request.ContentLength is { } length)
            {
                // The common case: the size is declared (and Kestrel ends the body there), so read into the array kept.
                var bytes = new byte[length];
                await request.Body.ReadExactlyAsync(bytes, cancellationToken);
                return bytes;
            }
        }
        catch (EndOfStreamException)
        {
            throw ApiException.BadJson("The request body ended before its Content-Length.");
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw TooLarge(limit);
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > limit)
                {
                    throw TooLarge(limit);
                }

                buffer.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw TooLarge(limit);
        }

        return buffer.ToArray();
    }

    private static ApiException TooLarge(long limit) =>
        new(StatusCodes.Status413PayloadTooLarge, "payload_too_large", $"The request body is larger than the limit of {limit} bytes.");
}
