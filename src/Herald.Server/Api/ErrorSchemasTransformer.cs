using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Herald.Server.Api;

/// <summary>
/// Declares the error bodies the operations refer to (Svix's names, so generated clients map them as Svix's do):
/// <c>HttpError</c> <c>{code, detail}</c> and <c>HTTPValidationError</c> <c>{code, detail: [{loc, msg, type}]}</c>.
/// Also keeps operation ids unique (one handler serves several route groups) and integers plain integers.
/// </summary>
internal sealed class ErrorSchemasTransformer : IOpenApiDocumentTransformer
{
    public const string HttpError = "HttpError";
    public const string ValidationError = "HTTPValidationError";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        document.Components.Schemas[HttpError] = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "An error: a machine-readable code and a sentence for people.",
            Required = new HashSet<string> { "code", "detail" },
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["code"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "What went wrong, for programs (e.g. not_found, conflict)." },
                ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "What went wrong, for people." },
            },
        };
        document.Components.Schemas["ValidationError"] = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "One problem of an invalid request.",
            Required = new HashSet<string> { "loc", "msg", "type" },
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["loc"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.Array,
                    Items = new OpenApiSchema { Type = JsonSchemaType.String },
                    Description = "Where: the part of the request, then the path to the value, e.g. [\"body\", \"url\"] or [\"query\", \"limit\"].",
                },
                ["msg"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "What is wrong with it." },
                ["type"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The kind of problem, for programs (e.g. missing, out_of_range)." },
            },
        };
        document.Components.Schemas[ValidationError] = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "An invalid request (422): every problem found, as Svix answers them.",
            Required = new HashSet<string> { "detail" },
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["code"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "validation_error." },
                ["detail"] = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchemaReference("ValidationError", document), Description = "The problems." },
            },
        };

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var operation in (document.Paths ?? []).Values.SelectMany(p => p.Operations?.Values ?? Enumerable.Empty<OpenApiOperation>()))
        {
            var id = operation.OperationId;
            for (var n = 2; id is not null && !seen.Add(id); n++)
            {
                id = $"{operation.OperationId}{n}";
            }

            operation.OperationId = id;
        }

        return Task.CompletedTask;
    }
}
