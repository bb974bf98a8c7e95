using System.Text;
using Herald.Server.Api;
using Herald.Server.Auth;
using Herald.Server.Endpoints;
using Herald.Server.Storage;

namespace Herald.Server.Transformations;

/// <summary>An endpoint's transformation, as Svix's SDK reaches it: get, patch, simulate.</summary>
internal static class TransformationsApi
{
    public static RouteGroupBuilder MapTransformations(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/app/{app_id}/endpoint/{endpoint_id}/transformation").WithTags("Endpoints");
        group.MapGet("/", GetAsync).WithSummary("Get the endpoint's transformation code and whether it is enabled.")
            .WithDescription("code is null and enabled false when none was set.");
        group.MapPatch("/", PatchAsync).Accepts<EndpointTransformationPatch>("application/json")
            .WithSummary("Set the endpoint's transformation code or enable/disable it.")
            .WithDescription("The code must define `function handler(webhook)` and parse; null removes it. It runs before each attempt while enabled (docs/DELIVERY.md). Answers 204.");
        group.MapPost("/simulate", SimulateAsync).Accepts<TransformationSimulateIn>("application/json")
            .WithSummary("Run transformation code on a payload for this endpoint, without sending anything.")
            .WithDescription("Answers 200 with the URL, method, body and headers the webhook would have, or cancel=true; a failing script is a 422 `transformation_failed` whose detail says why.");
        return group;
    }

    private static async Task<Ok<EndpointTransformationOut>> GetAsync(CurrentApplication app, string endpoint_id, HttpContext context, IEndpointStore store)
    {
        var endpoint = await app.FindEndpointAsync(store, endpoint_id, context.RequestAborted);
        var transformation = endpoint.Transformation;
        return TypedResults.Ok(new EndpointTransformationOut
        {
            Code = transformation?.Code,
            Enabled = transformation?.Enabled ?? false,
            UpdatedAt = transformation?.UpdatedAt,
        });
    }

    private static async Task<NoContent> PatchAsync(CurrentApplication app, string endpoint_id, HttpContext context, IEndpointStore store, TimeProvider time)
    {
        var endpoint = await app.FindEndpointAsync(store, endpoint_id, context.RequestAborted);
        using var body = await JsonBody.ReadAsync(context.Request, HeraldJsonContext.Api.EndpointTransformationPatch, context.RequestAborted);
        var input = body.Value;
        var v = new Validator();
        if (body.Has("code") && input.Code is not null)
        {
            CheckCode(v, "body.code", input.Code);
        }

        NoVariables(v, input.Variables);
        v.ThrowIfInvalid();
        var current = endpoint.Transformation;
        var updated = new EndpointTransformation(
            body.Has("code") ? input.Code : current?.Code, input.Enabled ?? current?.Enabled ?? false, time.Now());
        if (!await store.SetEndpointTransformationAsync(endpoint.Id, updated, context.RequestAborted))
        {
            throw ApiException.NotFound("Endpoint");
        }

        return TypedResults.NoContent();
    }

    private static async Task<Ok<TransformationSimulateOut>> SimulateAsync(
        CurrentApplication app, string endpoint_id, HttpContext context, IEndpointStore store, TransformationSandbox sandbox, TimeProvider time)
    {
        var endpoint = await app.FindEndpointAsync(store, endpoint_id, context.RequestAborted);
        using var body = await JsonBody.ReadAsync(context.Request, HeraldJsonContext.Api.TransformationSimulateIn, context.RequestAborted);
        var input = body.Value;
        var v = new Validator();
        if (v.Required("body.code", input.Code))
        {
            CheckCode(v, "body.code", input.Code!);
        }

        v.Identifier("body.eventType", input.EventType, required: true).Channels("body.channels", input.Channels);
        if (input.Payload is not { ValueKind: System.Text.Json.JsonValueKind.Object })
        {
            v.Add("body.payload", input.Payload is null ? "missing" : "invalid_type", "must be a JSON object.");
        }

        NoVariables(v, input.Variables);
        v.ThrowIfInvalid();
        var payload = System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(input.Payload!.Value).ToArray();
        var result = sandbox.Run(input.Code!, new TransformationInput(endpoint.Url, input.EventType!, payload, endpoint.Headers, time.GetUtcNow()));
        if (result.Error is { } error)
        {
            throw new ApiException(StatusCodes.Status422UnprocessableEntity, "transformation_failed", error,
                [ValidationItem.At("body.code", "transformation_failed", error)]);
        }

        return TypedResults.Ok(new TransformationSimulateOut
        {
            Url = result.Url,
            Payload = Encoding.UTF8.GetString(result.Body),
            Method = result.Method,
            Cancel = result.Canceled,
            Headers = result.Headers,
        });
    }

    private static void CheckCode(Validator v, string location, string code)
    {
        if (code.Length is < 10 or > TransformationSandbox.MaxCodeLength)
        {
            v.Add(location, "string_length", $"must be 10 to {TransformationSandbox.MaxCodeLength} characters.");
        }
        else if (TransformationSandbox.CodeError(code) is { } error)
        {
            v.Add(location, "invalid_javascript", error);
        }
    }

    private static void NoVariables(Validator v, IReadOnlyDictionary<string, string>? variables)
    {
        if (variables is { Count: > 0 })
        {
            v.Add("body.variables", "unsupported", "transformation variables are not supported by Herald; put constants in the code.");
        }
    }
}
