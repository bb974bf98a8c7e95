using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Herald.Server.Api;

/// <summary>
/// The web JSON defaults read numbers from strings too, so the generated schema of an integer is
/// <c>type: [integer, string]</c> with a digits pattern; Herald writes plain numbers and Svix's SDKs send them, and
/// code generators turn the union into a string-or-number type. Declared as what the API writes: a number.
/// </summary>
internal sealed class PlainNumberSchemaTransformer : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (schema.Type is { } type && type.HasFlag(JsonSchemaType.String) && (type.HasFlag(JsonSchemaType.Integer) || type.HasFlag(JsonSchemaType.Number)))
        {
            schema.Type = type & ~JsonSchemaType.String;
            schema.Pattern = null;
        }

        return Task.CompletedTask;
    }
}
