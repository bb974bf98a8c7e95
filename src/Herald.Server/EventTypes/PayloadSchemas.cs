using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Herald.Server.Api;
using Herald.Server.Diagnostics;
using Json.Schema;
using Microsoft.Extensions.Options;

namespace Herald.Server.EventTypes;

/// <summary>
/// An event type's JSON Schemas (Svix's <c>schemas</c>: <c>{"1": {...}, "2": {...}}</c>), checked when stored and, when
/// <see cref="EventTypeOptions.PayloadValidation"/> asks, enforced on publish against the newest version (the highest
/// numeric key, else the last). Built schemas are cached per event type and rebuilt when its stored text changes, so an
/// update on any node is seen by the next publish without a signal.
/// </summary>
internal sealed partial class PayloadSchemas(IOptions<EventTypeOptions> options, ILogger<PayloadSchemas> logger)
{
    private const int MaxReportedErrors = 20;
    private const int MaxCachedEventTypes = 10_000;
    private static readonly EvaluationOptions Evaluation = new() { OutputFormat = OutputFormat.List, RequireFormatValidation = true };

    private readonly ConcurrentDictionary<string, (string Text, JsonSchema? Schema)> _cache = new(StringComparer.Ordinal);

    public PayloadValidation Mode => options.Value.PayloadValidation;

    /// <summary>Adds a 422 item for every version of <paramref name="schemas"/> that is not a usable JSON Schema.</summary>
    public static void Check(Validator v, JsonElement schemas)
    {
        foreach (var version in schemas.EnumerateObject())
        {
            if (version.Value.ValueKind is not (JsonValueKind.Object or JsonValueKind.True or JsonValueKind.False))
            {
                v.Add("body.schemas", version.Name, "invalid_schema", "must be a JSON Schema (an object or a boolean).");
            }
            else if (ExternalReference(version.Value, 0) is { } reference)
            {
                v.Add("body.schemas", version.Name, "invalid_schema",
                    $"refers to '{reference}': Herald fetches no schemas, so every $ref must point inside the schema (\"#/…\").");
            }
            else if (Build(version.Value, out var problem) is null)
            {
                v.Add("body.schemas", version.Name, "invalid_schema", problem!);
            }
        }
    }

    /// <summary>The newest version of <paramref name="schemas"/> (<c>{"1": …}</c>), or default when there is none.</summary>
    public static JsonElement Newest(JsonElement schemas)
    {
        if (schemas.ValueKind != JsonValueKind.Object)
        {
            return default;
        }

        JsonProperty? best = null;
        var bestVersion = long.MinValue;
        foreach (var version in schemas.EnumerateObject())
        {
            var numeric = long.TryParse(version.Name, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : long.MinValue;
            if (best is null || numeric >= bestVersion)
            {
                (best, bestVersion) = (version, numeric);
            }
        }

        return best?.Value ?? default;
    }

    /// <summary>
    /// Throws a 422 (<c>payload_schema_mismatch</c>, one <c>{loc, msg, type}</c> per failing place, <c>loc</c> being
    /// <c>["body", "payload", …the JSON path]</c>) when the mode asks for a check and the payload fails it.
    /// </summary>
    public void Enforce(string eventTypeName, EventType? eventType, JsonElement payload)
    {
        var mode = Mode;
        if (mode == PayloadValidation.Off)
        {
            return;
        }

        if (eventType?.Schemas is null)
        {
            if (mode == PayloadValidation.Required)
            {
                throw new ApiException(StatusCodes.Status422UnprocessableEntity, "payload_schema_missing",
                    $"Event type '{eventTypeName}' has no schema, and Herald:EventTypes:PayloadValidation is Required.",
                    [ValidationItem.At("body.eventType", "payload_schema_missing", "has no schema; declare one on the event type to publish with it.")]);
            }

            return;
        }

        var schema = Compiled(eventType);
        if (schema is null)
        {
            return;
        }

        EvaluationResults result;
        try
        {
            result = schema.Evaluate(payload, Evaluation);
        }
        catch (RefResolutionException e)
        {
            LogUnusableSchema(logger, eventTypeName, e.Message);
            return;
        }

        if (result.IsValid)
        {
            return;
        }

        var errors = new List<ValidationItem>();
        foreach (var detail in result.Details ?? [result])
        {
            foreach (var (keyword, message) in detail.Errors ?? new Dictionary<string, string>())
            {
                if (errors.Count < MaxReportedErrors)
                {
                    var path = detail.InstanceLocation.ToString();
                    errors.Add(new ValidationItem(["body", "payload", .. Segments(path)], $"{(path.Length == 0 ? "/" : path)}: {message}", $"schema_{keyword}"));
                }
            }
        }

        if (errors.Count == 0)
        {
            errors.Add(ValidationItem.At("body.payload", "schema_mismatch", "does not match the event type's schema."));
        }

        throw new ApiException(StatusCodes.Status422UnprocessableEntity, "payload_schema_mismatch",
            $"The payload does not match the schema of event type '{eventTypeName}': " + string.Join(" ", errors.Select(e => e.Msg)), errors);
    }

    /// <summary>True when <paramref name="payload"/> is valid against the newest schema of <paramref name="eventType"/> (or it has none).</summary>
    public bool IsValid(EventType eventType, JsonElement payload) =>
        Compiled(eventType) is not { } schema || schema.Evaluate(payload, Evaluation).IsValid;

    private JsonSchema? Compiled(EventType eventType)
    {
        var text = eventType.Schemas!;
        if (_cache.TryGetValue(eventType.Name, out var cached) && string.Equals(cached.Text, text, StringComparison.Ordinal))
        {
            return cached.Schema;
        }

        using var document = JsonDocument.Parse(text);
        var newest = Newest(document.RootElement);
        JsonSchema? schema = null;
        if (newest.ValueKind != JsonValueKind.Undefined)
        {
            schema = Build(newest.Clone(), out var problem);
            if (schema is null)
            {
                // Stored before validation existed, or through a path that does not check: the publisher is not at fault.
                LogUnusableSchema(logger, eventType.Name, problem!);
            }
        }

        if (_cache.Count >= MaxCachedEventTypes)
        {
            _cache.Clear();
        }

        _cache[eventType.Name] = (text, schema);
        return schema;
    }

    private static JsonSchema? Build(JsonElement schema, out string? problem)
    {
        try
        {
            // A registry per schema: an $id in one event type's schema must not resolve (or clash) in another's. It fetches
            // nothing, so an external $ref is refused here rather than dialled at publish.
            var built = JsonSchema.Build(schema, new BuildOptions { SchemaRegistry = new SchemaRegistry(), Dialect = Dialect.Draft202012 });
            problem = null;
            return built;
        }
        catch (Exception e) when (e is JsonSchemaException or RefResolutionException or ArgumentException or JsonException or FormatException
            or InvalidOperationException or KeyNotFoundException or NotSupportedException)
        {
            problem = $"is not a usable JSON Schema: {e.Message}";
            return null;
        }
    }

    /// <summary>The first <c>$ref</c>/<c>$dynamicRef</c> that does not start with <c>#</c>, if any.</summary>
    private static string? ExternalReference(JsonElement schema, int depth)
    {
        if (depth > 64)
        {
            return null;
        }

        if (schema.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in schema.EnumerateObject())
            {
                if (property.Name is "$ref" or "$dynamicRef" && property.Value.ValueKind == JsonValueKind.String
                    && !property.Value.GetString()!.StartsWith('#'))
                {
                    return property.Value.GetString();
                }

                if (property.Name is not ("examples" or "const" or "enum" or "default") && ExternalReference(property.Value, depth + 1) is { } found)
                {
                    return found;
                }
            }
        }
        else if (schema.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in schema.EnumerateArray())
            {
                if (ExternalReference(item, depth + 1) is { } found)
                {
                    return found;
                }
            }
        }

        return null;
    }

    private static IEnumerable<string> Segments(string pointer) =>
        pointer.Length == 0 ? [] : pointer.TrimStart('/').Split('/').Select(s => s.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal));

    [LoggerMessage(EventId = EventIds.UnusablePayloadSchema, Level = LogLevel.Warning,
        Message = "The newest schema of event type {EventType} cannot be built, so its payloads are not checked: {Problem}")]
    private static partial void LogUnusableSchema(ILogger logger, string eventType, string problem);
}
