using System.Text.Json;
using System.Text.Json.Nodes;

namespace Herald.Server.EventTypes;

/// <summary>
/// A minimal instance of a JSON Schema, for send-example when the schema carries no <c>examples</c>: an object with
/// its required properties only; <c>const</c>, then <c>default</c>, then the first of <c>examples</c> or <c>enum</c> where
/// given; otherwise the least value of the type (0 or the minimum, false, "", at least minItems items) and a fixed
/// sample for the formats date-time, date, time, email, uuid, uri, hostname and ipv4/ipv6. Local <c>$ref</c>s are
/// followed; allOf is merged, anyOf/oneOf take their first branch. Deterministic: no clock, no randomness.
/// </summary>
internal static class SchemaExample
{
    private const int MaxDepth = 16;

    public static JsonNode? Generate(JsonElement schema) => Generate(schema, schema, 0);

    private static JsonNode? Generate(JsonElement root, JsonElement schema, int depth)
    {
        if (depth > MaxDepth || schema.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        if (schema.TryGetProperty("$ref", out var reference) && reference.GetString() is { } pointer && Resolve(root, pointer) is { } target)
        {
            return Generate(root, target, depth + 1);
        }

        foreach (var given in new[] { "const", "default" })
        {
            if (schema.TryGetProperty(given, out var value))
            {
                return JsonNode.Parse(value.GetRawText());
            }
        }

        foreach (var list in new[] { "examples", "enum" })
        {
            if (schema.TryGetProperty(list, out var values) && values.ValueKind == JsonValueKind.Array && values.GetArrayLength() > 0)
            {
                return JsonNode.Parse(values[0].GetRawText());
            }
        }

        if (schema.TryGetProperty("allOf", out var allOf) && allOf.ValueKind == JsonValueKind.Array)
        {
            var merged = Generate(root, WithoutKey(schema, "allOf"), depth + 1) as JsonObject ?? [];
            foreach (var part in allOf.EnumerateArray())
            {
                if (Generate(root, part, depth + 1) is JsonObject obj)
                {
                    foreach (var (key, value) in obj)
                    {
                        merged[key] = value?.DeepClone();
                    }
                }
            }

            return merged;
        }

        foreach (var choice in new[] { "anyOf", "oneOf" })
        {
            if (schema.TryGetProperty(choice, out var branches) && branches.ValueKind == JsonValueKind.Array && branches.GetArrayLength() > 0)
            {
                return Generate(root, branches[0], depth + 1);
            }
        }

        return TypeOf(schema) switch
        {
            "object" => Object(root, schema, depth),
            "array" => Array(root, schema, depth),
            "string" => String(schema),
            "integer" or "number" => Number(schema),
            "boolean" => false,
            _ => null,
        };
    }

    private static string? TypeOf(JsonElement schema)
    {
        if (schema.TryGetProperty("type", out var type))
        {
            return type.ValueKind switch
            {
                JsonValueKind.String => type.GetString(),
                JsonValueKind.Array => type.EnumerateArray().Select(t => t.GetString()).FirstOrDefault(t => t != "null") ?? "null",
                _ => null,
            };
        }

        return schema.TryGetProperty("properties", out _) || schema.TryGetProperty("required", out _) ? "object"
            : schema.TryGetProperty("items", out _) ? "array"
            : null;
    }

    private static JsonObject Object(JsonElement root, JsonElement schema, int depth)
    {
        var result = new JsonObject();
        if (!schema.TryGetProperty("required", out var required) || required.ValueKind != JsonValueKind.Array)
        {
            return result;
        }

        schema.TryGetProperty("properties", out var properties);
        foreach (var name in required.EnumerateArray().Select(r => r.GetString()).OfType<string>())
        {
            result[name] = properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty(name, out var property)
                ? Generate(root, property, depth + 1)
                : null;
        }

        return result;
    }

    private static JsonArray Array(JsonElement root, JsonElement schema, int depth)
    {
        var result = new JsonArray();
        var count = schema.TryGetProperty("minItems", out var min) && min.TryGetInt32(out var m) ? Math.Clamp(m, 0, 10) : 0;
        schema.TryGetProperty("items", out var items);
        for (var i = 0; i < count; i++)
        {
            result.Add(Generate(root, items, depth + 1));
        }

        return result;
    }

    private static JsonNode String(JsonElement schema)
    {
        var format = schema.TryGetProperty("format", out var f) ? f.GetString() : null;
        var sample = format switch
        {
            "date-time" => "1970-01-01T00:00:00Z",
            "date" => "1970-01-01",
            "time" => "00:00:00Z",
            "email" or "idn-email" => "user@example.com",
            "uuid" => "00000000-0000-4000-8000-000000000000",
            "uri" or "iri" or "url" => "https://example.com/",
            "hostname" or "idn-hostname" => "example.com",
            "ipv4" => "192.0.2.1",
            "ipv6" => "2001:db8::1",
            _ => "",
        };
        var minLength = schema.TryGetProperty("minLength", out var min) && min.TryGetInt32(out var m) ? Math.Clamp(m, 0, 1024) : 0;
        return JsonValue.Create(sample.Length < minLength ? sample.PadRight(minLength, 'x') : sample);
    }

    private static JsonNode Number(JsonElement schema)
    {
        if (schema.TryGetProperty("minimum", out var min) && min.TryGetDecimal(out var minimum))
        {
            return JsonValue.Create(minimum);
        }

        if (schema.TryGetProperty("exclusiveMinimum", out var exclusive) && exclusive.TryGetDecimal(out var above))
        {
            return JsonValue.Create(Math.Floor(above) + 1);
        }

        return schema.TryGetProperty("maximum", out var max) && max.TryGetDecimal(out var maximum) && maximum < 0
            ? JsonValue.Create(maximum)
            : JsonValue.Create(0);
    }

    private static JsonElement? Resolve(JsonElement root, string pointer)
    {
        if (!pointer.StartsWith('#'))
        {
            return null;
        }

        var current = root;
        foreach (var raw in pointer[1..].Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var segment = Uri.UnescapeDataString(raw).Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(segment, out current))
            {
                return null;
            }
        }

        return current;
    }

    private static JsonElement WithoutKey(JsonElement schema, string key)
    {
        var copy = JsonNode.Parse(schema.GetRawText())!.AsObject();
        copy.Remove(key);
        using var document = JsonDocument.Parse(copy.ToJsonString());
        return document.RootElement.Clone();
    }
}
