using Herald.Server.Tests.Delivery;
using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.EventTypes;

/// <summary>Event type schemas: refused when unusable, enforced on publish when Herald:EventTypes:PayloadValidation asks, and the source of generated examples.</summary>
public sealed class PayloadSchemaTests : IDisposable
{
    private const string InvoiceSchema = """
        {"1": {"type": "object", "required": ["id", "amount", "paidAt"], "properties": {
            "id": {"type": "string", "format": "uuid"},
            "amount": {"type": "integer", "minimum": 1},
            "currency": {"enum": ["EUR", "USD"]},
            "paidAt": {"type": "string", "format": "date-time"},
            "customer": {"type": "object", "required": ["email"], "properties": {"email": {"type": "string", "format": "email"}}}}}}
        """;

    private readonly List<HeraldApplication> _servers = [];

    public void Dispose()
    {
        foreach (var server in _servers)
        {
            server.Dispose();
        }
    }

    private HttpClient Admin(string? mode = null)
    {
        var herald = new HeraldApplication();
        if (mode is not null)
        {
            herald.With("Herald:EventTypes:PayloadValidation", mode);
        }

        _servers.Add(herald);
        return herald.CreateAdminClient();
    }

    private static async Task CreateInvoiceTypeAsync(HttpClient admin, string schemas = InvoiceSchema) =>
        await (await admin.PostJsonAsync("/api/v1/event-type", $$"""{"name": "invoice.paid", "description": "d", "schemas": {{schemas}}}"""))
            .ReadObjectAsync(HttpStatusCode.Created);

    private static Task<HttpResponseMessage> PublishAsync(HttpClient admin, string appId, string eventType, string payload) =>
        admin.PostJsonAsync($"/api/v1/app/{appId}/msg", $$"""{"eventType": "{{eventType}}", "payload": {{payload}}}""");

    [Theory]
    [InlineData("""{"1": {"type": 5}}""")]
    [InlineData("""{"1": {"minimum": "zero"}}""")]
    [InlineData("""{"1": {"$ref": "https://schemas.example.com/invoice.json"}}""")]
    [InlineData("""{"1": {"type": "object"}, "2": {"pattern": "(("}}""")]
    public async Task CreateEventType_WithUnusableSchema_Returns422NamingTheVersion(string schemas)
    {
        var admin = Admin();

        var response = await admin.PostJsonAsync("/api/v1/event-type", $$"""{"name": "invoice.paid", "description": "d", "schemas": {{schemas}}}""");

        var body = await response.AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");
        var item = Assert.Single(body["detail"]!.AsArray());
        Assert.Equal("schemas", (string?)item!["loc"]![1]);
        Assert.Equal("invalid_schema", (string?)item["type"]);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/v1/event-type/invoice.paid")).StatusCode);
    }

    [Fact]
    public async Task PatchEventType_WithUnusableSchema_Returns422AndKeepsTheOldOne()
    {
        var admin = Admin();
        await CreateInvoiceTypeAsync(admin);

        var response = await admin.SendJsonAsync(HttpMethod.Patch, "/api/v1/event-type/invoice.paid", """{"schemas": {"1": {"required": "id"}}}""");

        await response.AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");
        var stored = await admin.GetObjectAsync("/api/v1/event-type/invoice.paid");
        Assert.Equal("uuid", (string?)stored["schemas"]!["1"]!["properties"]!["id"]!["format"]);
    }

    [Fact]
    public async Task Publish_InvalidPayloadWhenDeclared_Returns422WithEachFailingPath()
    {
        var admin = Admin("Declared");
        await CreateInvoiceTypeAsync(admin);
        var app = await admin.CreateAppAsync();

        var response = await PublishAsync(admin, (string)app["id"]!, "invoice.paid",
            """{"id": "not-a-uuid", "amount": 0, "paidAt": "2026-11-30T08:00:00Z", "customer": {"email": "nope"}}""");

        var body = await response.AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "payload_schema_mismatch");
        var locations = body["detail"]!.AsArray().Select(i => string.Join('.', i!["loc"]!.AsArray().Select(s => (string?)s))).ToList();
        Assert.Contains("body.payload.id", locations);
        Assert.Contains("body.payload.amount", locations);
        Assert.Contains("body.payload.customer.email", locations);
        Assert.Contains(body["detail"]!.AsArray(), i => (string?)i!["type"] == "schema_format");
        Assert.Empty((await admin.GetObjectAsync($"/api/v1/app/{app["id"]}/msg"))["data"]!.AsArray());
    }

    [Fact]
    public async Task Publish_MissingRequiredPropertyWhenDeclared_Returns422AtTheObject()
    {
        var admin = Admin("Declared");
        await CreateInvoiceTypeAsync(admin);
        var app = await admin.CreateAppAsync();

        var response = await PublishAsync(admin, (string)app["id"]!, "invoice.paid", """{"id": "00000000-0000-4000-8000-000000000000", "amount": 3}""");

        var body = await response.AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "payload_schema_mismatch");
        var item = Assert.Single(body["detail"]!.AsArray());
        Assert.Equal("schema_required", (string?)item!["type"]);
        Assert.Contains("paidAt", (string?)item["msg"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Publish_ValidPayloadWhenDeclared_IsAccepted()
    {
        var admin = Admin("Declared");
        await CreateInvoiceTypeAsync(admin);
        var app = await admin.CreateAppAsync();

        var response = await PublishAsync(admin, (string)app["id"]!, "invoice.paid",
            """{"id": "00000000-0000-4000-8000-000000000000", "amount": 3, "paidAt": "2026-11-30T08:00:00Z", "extra": true}""");

        await response.ReadObjectAsync(HttpStatusCode.Accepted);
    }

    [Fact]
    public async Task Publish_InvalidPayloadWhenOff_IsAccepted()
    {
        var admin = Admin();
        await CreateInvoiceTypeAsync(admin);
        var app = await admin.CreateAppAsync();

        await (await PublishAsync(admin, (string)app["id"]!, "invoice.paid", """{"amount": "lots"}""")).ReadObjectAsync(HttpStatusCode.Accepted);
    }

    [Fact]
    public async Task Publish_AfterSchemaUpdate_ChecksAgainstTheNewestVersion()
    {
        var admin = Admin("Declared");
        await CreateInvoiceTypeAsync(admin);
        var app = await admin.CreateAppAsync();
        var payload = """{"id": "00000000-0000-4000-8000-000000000000", "amount": 3, "paidAt": "2026-11-30T08:00:00Z"}""";
        await (await PublishAsync(admin, (string)app["id"]!, "invoice.paid", payload)).ReadObjectAsync(HttpStatusCode.Accepted);

        await (await admin.SendJsonAsync(HttpMethod.Patch, "/api/v1/event-type/invoice.paid",
            """{"schemas": {"1": {"type": "object"}, "2": {"type": "object", "required": ["refunded"]}}}""")).ReadObjectAsync(HttpStatusCode.OK);

        var body = await (await PublishAsync(admin, (string)app["id"]!, "invoice.paid", payload))
            .AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "payload_schema_mismatch");
        Assert.Contains("refunded", (string?)body["detail"]![0]!["msg"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Publish_EventTypeWithoutSchemaWhenDeclared_IsAccepted()
    {
        var admin = Admin("Declared");
        var app = await admin.CreateAppAsync();

        await (await PublishAsync(admin, (string)app["id"]!, "anything.goes", """{"a": 1}""")).ReadObjectAsync(HttpStatusCode.Accepted);
    }

    [Fact]
    public async Task Publish_EventTypeWithoutSchemaWhenRequired_Returns422()
    {
        var admin = Admin("Required");
        var app = await admin.CreateAppAsync();

        var body = await (await PublishAsync(admin, (string)app["id"]!, "anything.goes", """{"a": 1}"""))
            .AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "payload_schema_missing");
        Assert.Equal("eventType", (string?)body["detail"]![0]!["loc"]![1]);
    }

    [Fact]
    public async Task SendExample_SchemaWithoutExamples_SendsAGeneratedValidPayload()
    {
        var admin = Admin("Declared");
        await CreateInvoiceTypeAsync(admin);
        var app = await admin.CreateAppAsync();
        var endpoint = await admin.CreateEndpointAsync((string)app["id"]!);

        var message = await (await admin.PostJsonAsync($"/api/v1/app/{app["id"]}/endpoint/{endpoint["id"]}/send-example", """{"eventType": "invoice.paid"}"""))
            .ReadObjectAsync(HttpStatusCode.Accepted);

        var payload = message["payload"]!.AsObject();
        Assert.Equal(["id", "amount", "paidAt"], payload.Select(p => p.Key));
        Assert.True(Guid.TryParse((string?)payload["id"], out _));
        Assert.Equal(1, (int)payload["amount"]!);
        Assert.True(DateTimeOffset.TryParse((string?)payload["paidAt"], System.Globalization.CultureInfo.InvariantCulture, out _));
        // What was generated passes the check publishing applies.
        await (await PublishAsync(admin, (string)app["id"]!, "invoice.paid", payload.ToJsonString())).ReadObjectAsync(HttpStatusCode.Accepted);
    }

    [Fact]
    public async Task SendExample_SchemaWithRefsEnumsAndAllOf_GeneratesFromThem()
    {
        var admin = Admin();
        await CreateInvoiceTypeAsync(admin, """
            {"1": {"allOf": [{"$ref": "#/$defs/base"}, {"required": ["status"], "properties": {"status": {"enum": ["open", "paid"]}}}],
                   "$defs": {"base": {"type": "object", "required": ["tags", "email"], "properties": {
                       "tags": {"type": "array", "minItems": 2, "items": {"type": "string", "minLength": 3}},
                       "email": {"type": "string", "format": "email"}}}}}}
            """);
        var app = await admin.CreateAppAsync();
        var endpoint = await admin.CreateEndpointAsync((string)app["id"]!);

        var message = await (await admin.PostJsonAsync($"/api/v1/app/{app["id"]}/endpoint/{endpoint["id"]}/send-example", """{"eventType": "invoice.paid"}"""))
            .ReadObjectAsync(HttpStatusCode.Accepted);

        Assert.Equal("""{"tags":["xxx","xxx"],"email":"user@example.com","status":"open"}""", message["payload"]!.ToJsonString());
    }
}
