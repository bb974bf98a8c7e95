using System.Text.Json;
using System.Text.Json.Nodes;
using Herald.Server.Api;

namespace Herald.Server.EventTypes;

/// <summary>
/// Reads the event types out of an OpenAPI 3.1 document: each entry of <c>webhooks</c> (or <c>x-webhooks</c>, the 3.0
/// extension) is an event type named by its key, whose payload schema is the <c>post</c> operation's
/// <c>requestBody.content["application/json"].schema</c>, with local <c>$ref</c>s (<c>#/…</c>) resolved inline so the
/// stored schema stands alone. The description is the operation's <c>description</c> (else its <c>summary</c>),
/// <c>deprecated</c> is the operation's. What cannot be read is refused with a 422 naming where in the document.
/// </summary>
internal static class OpenApiWebhooks
{
    private const int MaxRefDepth = 32;

    public static IReadOnlyList<EventTypeFromOpenApi> Read(JsonElement spec, string location)
    {
        var v = new Validator();
        if (spec.ValueKind != JsonValueKind.Object)
        {
            throw ApiException.Invalid(location, "invalid_type", "must be an OpenAPI document (a JSON object).");
        }

        var root = JsonNode.Parse(spec.GetRawText())!.AsObject();
        var section = root["webhooks"] is JsonObject webhooks ? ("webhooks", webhooks)
            : root["x-webhooks"] is JsonObject xWebhooks ? ("x-webhooks", xWebhooks)
            : throw ApiException.Invalid(location, "no_webhooks", "has no 'webhooks' (or 'x-webhooks') object to import event types from.");
        var result = new List<EventTypeFromOpenApi>();
        foreach (var (name, item) in section.Item2)
        {
            var at = $"{location}.{section.Item1}.{name}";
            if (!Validator.IdentifierPattern().IsMatch(name) || name.Length > Validator.MaxNameLength)
            {
                v.Add(at, "pattern_mismatch", "the webhook's name must be a valid event type name (letters, digits, '-', '_', '.').");
                continue;
            }

            try
            {
                result.Add(ReadWebhook(root, name, item, at));
            }
            catch (ApiException e) when (e.Errors is { } errors)
            {
                foreach (var error in errors)
                {
                    v.Add(string.Join('.', error.Loc), error.Type, error.Msg);
                }
            }
        }

        v.ThrowIfInvalid();
        return result;
    }

    private static EventTypeFromOpenApi ReadWebhook(JsonObject root, string name, JsonNode? item, string at)
    {
        var post = Resolve(root, item, at, 0) is JsonObject path && Resolve(root, path["post"], at + ".post", 0) is JsonObject operation
            ? operation
            : throw ApiException.Invalid(at, "no_post_operation", "must hold a 'post' operation (the webhook request).");
        var description = (post["description"] ?? post["summary"]) is JsonValue text && text.TryGetValue<string>(out var s) ? s : "";
        if (description.Length > Validator.MaxDescriptionLength)
        {
            throw ApiException.Invalid(at + ".post.description", "too_long", $"may be at most {Validator.MaxDescriptionLength} characters.");
        }

        JsonObject? schemas = null;
        if (Resolve(root, post["requestBody"], at + ".post.requestBody", 0) is JsonObject body
            && body["content"]?["application/json"] is JsonObject media)
        {
            var schema = Inline(root, media["schema"], at + ".post.requestBody.content.application/json.schema", 0);
            if (schema is not null and not JsonObject)
            {
                throw ApiException.Invalid(at + ".post.requestBody.content.application/json.schema", "invalid_type", "must be a JSON schema object.");
            }

            if (schema is JsonObject schemaObject)
            {
                // A media-type example becomes the schema's example, which send-example sends.
                if (media["example"] is { } example && schemaObject["examples"] is null)
                {
                    schemaObject["examples"] = new JsonArray(Inline(root, example, at, 0));
                }

                schemas = new JsonObject { ["1"] = schemaObject };
            }
        }

        var deprecated = post["deprecated"] is JsonValue flag && flag.TryGetValue<bool>(out var d) && d;
        return new EventTypeFromOpenApi(name, description, schemas is null ? null : Element(schemas), deprecated, null, null);
    }

    private static JsonElement Element(JsonNode node)
    {
        using var document = JsonDocument.Parse(node.ToJsonString());
        return document.RootElement.Clone();
    }

    /// <summary>The node, or what its <c>$ref</c> points to (following chains).</summary>
    private static JsonNode? Resolve(JsonObject root, JsonNode? node, string at, int depth)
    {
        while (node is JsonObject o && o["$ref"] is JsonValue reference)
        {
            if (++depth > MaxRefDepth)
            {
                throw ApiException.Invalid(at, "ref_too_deep", $"$ref chains deeper than {MaxRefDepth} (or a cycle) cannot be imported.");
            }

            node = Follow(root, reference.ToString(), at);
        }

        return node;
    }

    /// <summary>A copy of the node with every local <c>$ref</c> replaced by what it points to.</summary>
    private static JsonNode? Inline(JsonObject root, JsonNode? node, string at, int depth)
    {
        if (depth > MaxRefDepth)
        {
            throw ApiException.Invalid(at, "ref_too_deep", $"schemas nested deeper than {MaxRefDepth} $refs (or recursive ones) cannot be imported.");
        }

        switch (node)
        {
            case JsonObject o when o["$ref"] is JsonValue reference:
                return Inline(root, Follow(root, reference.ToString(), at), at, depth + 1);
            case JsonObject o:
                var copy = new JsonObject();
                foreach (var (key, value) in o)
                {
                    copy[key] = Inline(root, value, at, depth);
                }

                return copy;
            case JsonArray a:
                return new JsonArray([.. a.Select(i => Inline(root, i, at, depth))]);
            default:
                return node?.DeepClone();
        }
    }

    private static JsonNode Follow(JsonObject root, string reference, string at)
    {
        if (!reference.StartsWith("#/", StringComparison.Ordinal))
        {
            throw ApiException.Invalid(at, "external_ref", $"'$ref: {reference}' points outside the document; only local references (#/...) can be imported.");
        }

        JsonNode? target = root;
        foreach (var part in reference[2..].Split('/'))
        {
            target = target is JsonObject o ? o[part.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)] : null;
        }

        return target ?? throw ApiException.Invalid(at, "unresolved_ref", $"'$ref: {reference}' points to nothing in the document.");
    }
}
