using System.Text.Json;
using System.Text.Json.Serialization;
using Herald.Server.Api;
using Herald.Server.Auth;
using Herald.Server.Storage;

namespace Herald.Server.EventTypes;

/// <summary><c>POST /event-type/import/openapi</c>: creates or updates event types from an OpenAPI document's webhooks (admin only).</summary>
internal static class EventTypeImportApi
{
    public static RouteGroupBuilder MapEventTypeImport(this RouteGroupBuilder api)
    {
        api.MapPost("/event-type/import/openapi", ImportAsync).WithTags("Event types").Accepts<EventTypeImportOpenApiIn>("application/json")
            .WithSummary("Create or update event types from an OpenAPI document's webhooks.")
            .WithDescription("Send the document as spec (a JSON object) or specRaw (a string holding JSON; Herald does not read YAML), not both (400). "
                + "Each entry of webhooks (or x-webhooks) becomes an event type: its post operation's description, deprecated flag and "
                + "application/json request schema (local $refs inlined) as schema version 1. An archived event type that is updated is unarchived. "
                + "replaceAll archives every event type the document does not name; dryRun changes nothing and lists in data.to_modify what would change.");
        return api;
    }

    private static async Task<Ok<EventTypeImportOpenApiOut>> ImportAsync(HttpContext context, IEventTypeStore store, TimeProvider time)
    {
        context.User.RequireAdmin();
        using var body = await JsonBody.ReadAsync(context.Request, HeraldJsonContext.Api.EventTypeImportOpenApiIn, context.RequestAborted);
        var input = body.Value;
        var hasSpec = input.Spec is { ValueKind: not JsonValueKind.Null };
        if (hasSpec == (input.SpecRaw is not null))
        {
            // Svix documents 400 Bad Request for neither and for both.
            throw new ApiException(StatusCodes.Status400BadRequest, "invalid_spec", "Send exactly one of spec (a JSON object) and specRaw (a string).");
        }

        IReadOnlyList<EventTypeFromOpenApi> imported;
        if (hasSpec)
        {
            imported = OpenApiWebhooks.Read(input.Spec!.Value, "body.spec");
        }
        else
        {
            using var raw = ParseRaw(input.SpecRaw!);
            imported = OpenApiWebhooks.Read(raw.RootElement, "body.specRaw");
        }

        if (input.DryRun == true)
        {
            return TypedResults.Ok(new EventTypeImportOpenApiOut(new EventTypeImportOpenApiOutData([], imported)));
        }

        var now = time.Now();
        var modified = new List<string>();
        foreach (var item in imported)
        {
            var existing = await store.GetEventTypeAsync(item.Name, CancellationToken.None);
            var eventType = new EventType
            {
                Name = item.Name,
                Description = item.Description,
                Deprecated = item.Deprecated,
                Archived = false,
                Schemas = item.Schemas?.GetRawText(),
                GroupName = existing?.GroupName,
                FeatureFlags = existing?.FeatureFlags,
                CreatedAt = existing?.CreatedAt ?? now,
                UpdatedAt = now,
            };
            if (existing is null)
            {
                await store.CreateEventTypeAsync(eventType, CancellationToken.None);
            }
            else
            {
                await store.UpdateEventTypeAsync(eventType, CancellationToken.None);
            }

            modified.Add(item.Name);
        }

        if (input.ReplaceAll == true)
        {
            var named = imported.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
            string? after = null;
            Page<EventType> page;
            do
            {
                page = await store.ListEventTypesAsync(new PageRequest(250, after, Backward: false, Descending: false), includeArchived: false, CancellationToken.None);
                foreach (var stale in page.Items.Where(e => !named.Contains(e.Name)))
                {
                    await store.UpdateEventTypeAsync(stale with { Archived = true, UpdatedAt = now }, CancellationToken.None);
                    modified.Add(stale.Name);
                }

                after = page.Items.Count > 0 ? page.Items[^1].Name : after;
            }
            while (page.HasMore);
        }

        return TypedResults.Ok(new EventTypeImportOpenApiOut(new EventTypeImportOpenApiOutData(modified, null)));
    }

    /// <summary>specRaw as JSON. Svix also reads YAML; Herald has no YAML reader, so YAML is refused by name.</summary>
    private static JsonDocument ParseRaw(string specRaw)
    {
        try
        {
            return JsonDocument.Parse(specRaw);
        }
        catch (JsonException)
        {
            var yaml = !specRaw.TrimStart().StartsWith('{');
            throw ApiException.Invalid("body.specRaw", yaml ? "yaml_not_supported" : "invalid_json", yaml
                ? "Herald reads specRaw as JSON only; YAML is not supported. Convert the document to JSON, or send it as spec."
                : "is not valid JSON.");
        }
    }
}

/// <summary>Svix's EventTypeImportOpenApiIn.</summary>
public sealed record EventTypeImportOpenApiIn
{
    /// <summary>The OpenAPI document as a JSON object; exclusive with specRaw.</summary>
    public JsonElement? Spec { get; init; }
    /// <summary>The OpenAPI document as a string holding JSON (not YAML); exclusive with spec.</summary>
    public string? SpecRaw { get; init; }
    /// <summary>True archives the event types the document does not name.</summary>
    public bool? ReplaceAll { get; init; }
    /// <summary>True changes nothing and answers what would change (to_modify).</summary>
    public bool? DryRun { get; init; }
}

/// <summary>Svix's EventTypeFromOpenApi: one event type as read from the document.</summary>
/// <param name="Name">The event type's name (the webhook's key).</param>
/// <param name="Description">From the webhook's description or summary.</param>
/// <param name="Schemas">The payload schema, as version 1.</param>
/// <param name="Deprecated">From the webhook's `deprecated`.</param>
/// <param name="GroupName">Always null: the import does not set it (an existing value is kept).</param>
/// <param name="FeatureFlags">Always null: the import does not set them (existing ones are kept).</param>
public sealed record EventTypeFromOpenApi(string Name, string Description, JsonElement? Schemas, bool Deprecated, string? GroupName, IReadOnlyList<string>? FeatureFlags);

/// <summary>What the import changed, or would change.</summary>
/// <param name="Modified">Names of the event types created or changed.</param>
/// <param name="ToModify">Dry run: the event types as they would be written.</param>
public sealed record EventTypeImportOpenApiOutData(
    IReadOnlyList<string> Modified,
    [property: JsonPropertyName("to_modify")] IReadOnlyList<EventTypeFromOpenApi>? ToModify);

/// <summary>The answer of the import.</summary>
/// <param name="Data">What was, or would be, changed.</param>
public sealed record EventTypeImportOpenApiOut(EventTypeImportOpenApiOutData Data);
