using Herald.Server.Tests.Delivery;
using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.EventTypes;

/// <summary><c>POST /event-type/import/openapi</c>: event types from an OpenAPI document's webhooks.</summary>
public sealed class EventTypeImportApiTests : IAsyncLifetime
{
    private const string Route = "/api/v1/event-type/import/openapi";

    private static readonly JsonObject Spec = JsonNode.Parse("""
        {
          "openapi": "3.1.0",
          "info": {"title": "Pets", "version": "1.0.0"},
          "webhooks": {
            "pet.new": {
              "post": {
                "description": "A new pet",
                "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}, "example": {"id": 1, "name": "Rex"}}}},
                "responses": {"200": {"description": "ok"}}
              }
            },
            "pet.gone": {"post": {"summary": "A pet left", "deprecated": true, "responses": {"200": {"description": "ok"}}}}
          },
          "components": {"schemas": {"Pet": {"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}}}}
        }
        """)!.AsObject();

    private readonly HeraldApplication _herald = new();
    private HttpClient _admin = null!;

    public Task InitializeAsync()
    {
        _admin = _herald.CreateAdminClient();
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        _herald.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Import_CreatesEventTypesWithTheirResolvedSchemas()
    {
        var response = await _admin.PostJsonAsync(Route, new JsonObject { ["spec"] = Spec.DeepClone() }.ToJsonString());

        var data = (await response.ReadObjectAsync(HttpStatusCode.OK))["data"]!;
        Assert.Equal(["pet.new", "pet.gone"], data["modified"]!.AsArray().Select(n => (string?)n));
        var created = await _admin.GetObjectAsync("/api/v1/event-type/pet.new");
        Assert.Equal("A new pet", (string?)created["description"]);
        Assert.Equal("integer", (string?)created["schemas"]!["1"]!["properties"]!["id"]!["type"]);
        Assert.Equal("Rex", (string?)created["schemas"]!["1"]!["examples"]![0]!["name"]);
        var gone = await _admin.GetObjectAsync("/api/v1/event-type/pet.gone");
        Assert.Equal("A pet left", (string?)gone["description"]);
        Assert.True((bool)gone["deprecated"]!);
    }

    [Fact]
    public async Task Import_FromSpecRawJson_WithReplaceAll_ArchivesTypesNotInTheDocument()
    {
        await _admin.CreateEventTypeAsync("invoice.paid");

        var body = new JsonObject { ["specRaw"] = Spec.ToJsonString(), ["replaceAll"] = true };
        var data = (await (await _admin.PostJsonAsync(Route, body.ToJsonString())).ReadObjectAsync(HttpStatusCode.OK))["data"]!;

        Assert.Contains("invoice.paid", data["modified"]!.AsArray().Select(n => (string?)n));
        Assert.True((bool)(await _admin.GetObjectAsync("/api/v1/event-type/invoice.paid"))["archived"]!);
        Assert.False((bool)(await _admin.GetObjectAsync("/api/v1/event-type/pet.new"))["archived"]!);
    }

    [Fact]
    public async Task Import_DryRun_ListsWhatWouldChange_AndChangesNothing()
    {
        var body = new JsonObject { ["spec"] = Spec.DeepClone(), ["dryRun"] = true };

        var data = (await (await _admin.PostJsonAsync(Route, body.ToJsonString())).ReadObjectAsync(HttpStatusCode.OK))["data"]!;

        Assert.Empty(data["modified"]!.AsArray());
        Assert.Equal(["pet.new", "pet.gone"], data["to_modify"]!.AsArray().Select(e => (string?)e!["name"]));
        await (await _admin.GetAsync("/api/v1/event-type/pet.new")).AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Theory]
    [InlineData("""{"specRaw":"openapi: 3.1.0\nwebhooks: {}"}""", "yaml_not_supported")]
    [InlineData("""{"spec":{"openapi":"3.1.0"}}""", "no_webhooks")]
    [InlineData("""{"spec":{"webhooks":{"pet.new":{"post":{"requestBody":{"content":{"application/json":{"schema":{"$ref":"#/components/schemas/Missing"}}}}}}}}}""", "unresolved_ref")]
    [InlineData("""{"spec":{"webhooks":{"bad name":{"post":{}}}}}""", "pattern_mismatch")]
    [InlineData("""{"spec":{"webhooks":{"pet.new":{}}}}""", "no_post_operation")]
    public async Task Import_OfWhatItCannotRead_Returns422NamingIt(string body, string type)
    {
        var response = await _admin.PostJsonAsync(Route, body);

        var error = await response.AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");
        Assert.Contains(type, error.ToJsonString(), StringComparison.Ordinal);
        Assert.Empty(await _admin.GetDataAsync("/api/v1/event-type"));
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"spec":{"webhooks":{}},"specRaw":"{}"}""")]
    public async Task Import_WithNeitherOrBothSpecs_Returns400(string body)
    {
        var response = await _admin.PostJsonAsync(Route, body);

        await response.AssertErrorAsync(HttpStatusCode.BadRequest, "invalid_spec");
    }
}
