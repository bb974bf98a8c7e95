using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Herald.Server.Api;

/// <summary>
/// Declares the bearer token in the OpenAPI document, so the API reference page can send it. Which operations need it
/// is said per operation (<see cref="OperationContractTransformer"/>): the anonymous ones (health) carry no lock.
/// </summary>
internal sealed class BearerSecurityTransformer : IOpenApiDocumentTransformer
{
    public const string Scheme = "bearer";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info.Title = "Herald API";
        document.Info.Description = "Svix-compatible event delivery API. Send `Authorization: Bearer <token>` on every route but /api/v1/health."
            + " The GraphQL API is at `/graphql` (docs/GRAPHQL.md), with a [GraphQL playground](/graphql/playground).";
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[Scheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "An admin token, or an application token from /api/v1/auth/app-portal-access/{app_id}.",
        };
        return Task.CompletedTask;
    }
}
