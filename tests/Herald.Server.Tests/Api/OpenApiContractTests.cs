using Microsoft.OpenApi;

namespace Herald.Server.Tests.Api;

/// <summary>
/// The OpenAPI document says what the API really does (issue 11, acceptance 6), in a form a code generator
/// consumes: it parses with Microsoft.OpenApi without errors, every operation has a unique id and a summary, the
/// lock only where a token is needed, the Idempotency-Key header on POST, its error answers with their bodies, and a
/// description for every operation, parameter and schema property.
/// </summary>
public sealed class OpenApiContractTests : IClassFixture<OneApplicationFixture>
{
    private readonly OneApplicationFixture _fixture;
    private readonly Lazy<Task<OpenApiDocument>> _document;

    public OpenApiContractTests(OneApplicationFixture fixture)
    {
        _fixture = fixture;
        _document = new(LoadAsync);
    }

    private async Task<OpenApiDocument> LoadAsync()
    {
        var bytes = await _fixture.Herald.CreateClient(token: null).GetByteArrayAsync("/openapi/v1.json");
        var result = await OpenApiDocument.LoadAsync(new MemoryStream(bytes), "json");
        Assert.Empty(result.Diagnostic?.Errors ?? []);
        var document = Assert.IsType<OpenApiDocument>(result.Document);
        Assert.Empty(document.Validate(ValidationRuleSet.GetDefaultRuleSet()) ?? []);
        return document;
    }

    private async Task<List<(string Path, HttpMethod Method, OpenApiOperation Operation)>> OperationsAsync() =>
        [.. (await _document.Value).Paths.SelectMany(p => p.Value.Operations!.Select(o => (p.Key, o.Key, o.Value)))];

    [Fact]
    public async Task Document_ParsesWithoutErrors_AndEveryOperationHasAUniqueIdAndSummary()
    {
        var operations = await OperationsAsync();

        Assert.NotEmpty(operations);
        foreach (var (path, method, operation) in operations)
        {
            Assert.False(string.IsNullOrWhiteSpace(operation.OperationId), $"{method} {path} has no operationId");
            Assert.False(string.IsNullOrWhiteSpace(operation.Summary ?? operation.Description), $"{method} {path} has no summary");
        }

        var duplicates = operations.GroupBy(o => o.Operation.OperationId).Where(g => g.Count() > 1).Select(g => g.Key);
        Assert.Empty(duplicates);
    }

    [Fact]
    public async Task Operations_RequireTheBearerToken_ExceptTheAnonymousHealthRoute()
    {
        var document = await _document.Value;

        Assert.Empty(document.Security ?? []);
        Assert.Empty(document.Paths["/api/v1/health"].Operations![HttpMethod.Get].Security ?? []);
        foreach (var (path, method, operation) in (await OperationsAsync()).Where(o => !o.Path.StartsWith("/api/v1/health", StringComparison.Ordinal)))
        {
            Assert.True(operation.Security is { Count: > 0 }, $"{method} {path} does not declare the bearer token");
            Assert.True(operation.Responses!.ContainsKey("401"), $"{method} {path} does not declare 401");
            Assert.True(operation.Responses.ContainsKey("403"), $"{method} {path} does not declare 403");
            Assert.True(operation.Responses.ContainsKey("429"), $"{method} {path} does not declare 429");
        }
    }

    [Fact]
    public async Task PostOperations_DeclareIdempotencyKeyAndErrorBodies()
    {
        foreach (var (path, method, operation) in (await OperationsAsync()).Where(o => o.Method == HttpMethod.Post))
        {
            Assert.Contains(operation.Parameters ?? [], p => p.Name == "Idempotency-Key" && p.In == ParameterLocation.Header);
            foreach (var status in new[] { "400", "409", "413", "422" })
            {
                Assert.True(operation.Responses!.TryGetValue(status, out var response), $"POST {path} does not declare {status}");
                var schema = Assert.IsType<OpenApiSchemaReference>(response.Content!["application/json"].Schema);
                Assert.Equal(status == "422" ? "HTTPValidationError" : "HttpError", schema.Reference.Id);
            }
        }
    }

    [Fact]
    public async Task ErrorSchemas_HaveSvixShapes()
    {
        var schemas = (await _document.Value).Components!.Schemas!;

        Assert.Equal(["code", "detail"], schemas["HttpError"].Properties!.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(JsonSchemaType.Array, schemas["HTTPValidationError"].Properties!["detail"].Type);
        Assert.Equal(["loc", "msg", "type"], schemas["ValidationError"].Properties!.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ListRoutes_DeclareTheirSvixQueryParameters_WithDescriptionsAndTypes()
    {
        var paths = (await _document.Value).Paths;
        var expected = new Dictionary<string, string[]>
        {
            ["/api/v1/app"] = ["limit", "iterator", "order", "exclude_apps_with_no_endpoints", "exclude_apps_with_disabled_endpoints", "exclude_apps_with_svix_play_endpoints"],
            ["/api/v1/event-type"] = ["limit", "iterator", "order", "include_archived", "with_content"],
            ["/api/v1/app/{app_id}/msg"] = ["limit", "iterator", "channel", "before", "after", "with_content", "tag", "event_types"],
            ["/api/v1/app/{app_id}/attempt/endpoint/{endpoint_id}"] =
                ["limit", "iterator", "status", "status_code_class", "channel", "tag", "before", "after", "with_content", "with_msg", "expanded_statuses", "event_types"],
            ["/api/v1/app/{app_id}/attempt/msg/{msg_id}"] =
                ["limit", "iterator", "status", "status_code_class", "channel", "tag", "endpoint_id", "before", "after", "with_content", "expanded_statuses", "event_types"],
            ["/api/v1/app/{app_id}/endpoint/{endpoint_id}/msg"] =
                ["limit", "iterator", "channel", "tag", "status", "before", "after", "with_content", "expanded_statuses", "event_types"],
        };

        foreach (var (path, names) in expected)
        {
            var parameters = paths[path].Operations![HttpMethod.Get].Parameters!.Where(p => p.In == ParameterLocation.Query).ToList();
            foreach (var name in names)
            {
                var parameter = parameters.SingleOrDefault(p => p.Name == name);
                Assert.True(parameter is not null, $"GET {path} does not declare ?{name}");
                Assert.False(string.IsNullOrWhiteSpace(parameter.Description), $"GET {path} ?{name} has no description");
            }

            var limit = parameters.Single(p => p.Name == "limit").Schema!;
            Assert.Equal(JsonSchemaType.Integer, limit.Type & ~JsonSchemaType.Null);
        }
    }

    [Fact]
    public async Task Document_DeclaresEveryPathParameter_EvenOnesHandlersTakeThroughABoundScope()
    {
        var missing = new List<string>();
        foreach (var (path, method, operation) in await OperationsAsync())
        {
            var declared = (operation.Parameters ?? []).Where(p => p.In == ParameterLocation.Path).Select(p => p.Name).ToList();
            var inPath = path.Split('/').Where(s => s.StartsWith('{')).Select(s => s.Trim('{', '}')).ToList();
            missing.AddRange(inPath.Except(declared).Select(name => $"{{{name}}} of {method} {path}"));
            Assert.All(declared, name => Assert.Contains(name, inPath));
        }

        Assert.Empty(missing);
    }

    [Fact]
    public async Task Document_DescribesEveryOperationParameterAndSchemaProperty()
    {
        var document = await _document.Value;
        var missing = new List<string>();
        foreach (var (path, method, operation) in await OperationsAsync())
        {
            if (string.IsNullOrWhiteSpace(operation.Description))
            {
                missing.Add($"operation {method} {path}");
            }

            missing.AddRange((operation.Parameters ?? []).Where(p => string.IsNullOrWhiteSpace(p.Description))
                .Select(p => $"parameter {p.Name} of {method} {path}"));
        }

        foreach (var (name, schema) in document.Components?.Schemas ?? new Dictionary<string, IOpenApiSchema>())
        {
            foreach (var (property, propertySchema) in schema.Properties ?? new Dictionary<string, IOpenApiSchema>())
            {
                if (!IsDescribed(propertySchema))
                {
                    missing.Add($"property {name}.{property}");
                }
            }
        }

        Assert.True(missing.Count == 0, $"{missing.Count} without a description:\n{string.Join('\n', missing)}");
    }

    /// <summary>
    /// A property is described by its own description; a property that is only a <c>$ref</c> to a component schema (an
    /// enum such as MessageStatus) by the description of the schema it refers to; and a nullable reference, which the
    /// generator writes as <c>oneOf: [{type: null}, {$ref, description}]</c> with the description on the reference
    /// branch, when every branch but the null one is described.
    /// </summary>
    private static bool IsDescribed(IOpenApiSchema schema) => schema switch
    {
        _ when !string.IsNullOrWhiteSpace(schema.Description) => true,
        OpenApiSchemaReference reference => !string.IsNullOrWhiteSpace(reference.Target?.Description),
        { OneOf.Count: > 0 } => schema.OneOf!.Where(s => s.Type != JsonSchemaType.Null).All(IsDescribed),
        _ => false,
    };
}
