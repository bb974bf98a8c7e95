using System.Reflection;
using System.Text;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Herald.Server.Api;

/// <summary>
/// Makes each operation of the OpenAPI document say what the route really does, so code generators (Svix's among
/// them) get a usable client: an operation id, the bearer lock only where a token is required, the
/// <c>Idempotency-Key</c> header on the POST routes (all of which honor it, see IdempotencyMiddleware), and every
/// error answer the pipeline can give, with its body (<see cref="ErrorSchemasTransformer"/> declares the schemas).
/// </summary>
internal sealed class OperationContractTransformer : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var description = context.Description;
        var metadata = description.ActionDescriptor.EndpointMetadata;
        var method = description.HttpMethod ?? "GET";
        var path = description.RelativePath ?? "";
        var anonymous = metadata.OfType<IAllowAnonymous>().Any();
        var hasBody = method is "POST" or "PUT" or "PATCH";

        operation.OperationId ??= OperationId(operation, metadata.OfType<MethodInfo>().FirstOrDefault(), method, path);
        DescribePathParameters(operation, path);
        operation.Responses ??= [];
        if (!anonymous)
        {
            operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerSecurityTransformer.Scheme, context.Document)] = [] }];
            Error(operation, context, "401", "No token, or a token Herald does not know.");
            Error(operation, context, "403", "The token may not do this (an application token outside its application, or on an admin route).");
            Error(operation, context, "429", "Too many requests: this token's request budget, or this address's failed authentications, are used up (Herald:RateLimits); retry after the seconds in Retry-After.");
        }

        if (method == "POST" && !anonymous)
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = "Idempotency-Key",
                In = ParameterLocation.Header,
                Required = false,
                Description = "Makes the request safe to retry: for 24 hours, a repeat with the same key (and the same request) gets the first answer again instead of running twice.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, MinLength = 1, MaxLength = 256 },
            });
        }

        if (hasBody && !anonymous)
        {
            Error(operation, context, "400", "The request could not be read (not JSON, or a malformed Idempotency-Key).");
            Error(operation, context, "409", "Conflicts with what exists (a uid or name already taken, an Idempotency-Key reused for another request, …).");
            Error(operation, context, "413", "The request body is larger than the server accepts (Herald:Api:MaxRequestBodyBytes).");
        }

        if (path.Contains('{', StringComparison.Ordinal))
        {
            Error(operation, context, "404", "What the path names does not exist (or is not visible to this token).");
        }

        if (hasBody || operation.Parameters is { Count: > 0 })
        {
            Error(operation, context, "422", "The request is invalid; each problem is listed with where it is (loc), what is wrong (msg) and its kind (type).",
                ErrorSchemasTransformer.ValidationError);
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// The same few path parameters name the same things on every route, so they are described once here rather than on
    /// each of the ~70 handlers.
    /// </summary>
    private static readonly Dictionary<string, string> PathParameters = new(StringComparer.Ordinal)
    {
        ["app_id"] = "The application: its id (`app_…`) or its uid.",
        ["endpoint_id"] = "The endpoint: its id (`ep_…`) or its uid.",
        ["msg_id"] = "The message: its id (`msg_…`) or its eventId.",
        ["attempt_id"] = "The attempt's id (`atmpt_…`).",
        ["event_type_name"] = "The event type's name.",
        ["destination_id"] = "The polling endpoint: its id or its uid.",
        ["sink_id"] = "The polling endpoint: its id or its uid.",
        ["consumer_id"] = "Your name for the consumer (letters, digits, `-`, `_`, `.`); Herald keeps a cursor per consumer.",
        ["task_id"] = "The background task's id (`qtask_…`).",
        ["key_id"] = "The API key's id (`tok_…`).",
    };

    /// <summary>
    /// Declares every <c>{name}</c> of the route, described. A route parameter the handler takes through a bound scope
    /// (<c>CurrentApplication</c>, <c>EndpointScope</c>) rather than as a string is not seen by ApiExplorer, so it is added here.
    /// </summary>
    private static void DescribePathParameters(OpenApiOperation operation, string path)
    {
        operation.Parameters ??= [];
        var declared = operation.Parameters.Where(p => p.In == ParameterLocation.Path).Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var missing = RouteParameters(path).Where(name => !declared.Contains(name)).ToList();
        for (var i = 0; i < missing.Count; i++)
        {
            operation.Parameters.Insert(i, new OpenApiParameter
            {
                Name = missing[i],
                In = ParameterLocation.Path,
                Required = true,
                Schema = new OpenApiSchema { Type = JsonSchemaType.String },
            });
        }

        foreach (var parameter in operation.Parameters.OfType<OpenApiParameter>())
        {
            if (parameter.In == ParameterLocation.Path && string.IsNullOrEmpty(parameter.Description)
                && PathParameters.TryGetValue(parameter.Name ?? "", out var description))
            {
                parameter.Description = description;
            }
        }

        if (operation.Parameters.Count == 0)
        {
            operation.Parameters = null;
        }
    }

    private static IEnumerable<string> RouteParameters(string path) =>
        path.Split('/').Where(s => s.Length > 2 && s[0] == '{' && s[^1] == '}').Select(s => s[1..^1].Split(':', '=')[0].TrimEnd('?'));

    private static void Error(OpenApiOperation operation, OpenApiOperationTransformerContext context, string status, string description, string schema = ErrorSchemasTransformer.HttpError)
    {
        if (operation.Responses!.ContainsKey(status))
        {
            return;
        }

        operation.Responses[status] = new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/json"] = new() { Schema = new OpenApiSchemaReference(schema, context.Document) },
            },
        };
    }

    // "endpoints.list", "operationalWebhooks.list": the tag and the handler's name, as Svix's ids are resource and verb.
    // A handler without a usable name (a lambda) falls back to the method and path. ErrorSchemasTransformer makes them unique.
    private static string OperationId(OpenApiOperation operation, MethodInfo? handler, string method, string path)
    {
        var tag = operation.Tags?.FirstOrDefault()?.Name;
        if (tag is not null && handler is not null && !handler.Name.Contains('<', StringComparison.Ordinal))
        {
            var name = handler.Name.EndsWith("Async", StringComparison.Ordinal) ? handler.Name[..^5] : handler.Name;
            return $"{Camel(tag)}.{char.ToLowerInvariant(name[0])}{name[1..]}";
        }

        return Camel($"{method.ToLowerInvariant()} {path.Replace("api/v1/", "", StringComparison.Ordinal)}");
    }

    private static string Camel(string text)
    {
        var words = text.Split([' ', '/', '-', '_', '{', '}'], StringSplitOptions.RemoveEmptyEntries);
        var result = new StringBuilder();
        foreach (var word in words)
        {
            result.Append(result.Length == 0 ? char.ToLowerInvariant(word[0]) : char.ToUpperInvariant(word[0])).Append(word.AsSpan(1));
        }

        return result.ToString();
    }
}
