using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.EventTypes;

public sealed class EventTypesApiTests : IDisposable
{
    private const string Schemas = """{"1": {"type": "object", "properties": {"amount": {"type": "integer"}}}}""";

    private readonly HeraldApplication _herald = new();
    private readonly HttpClient _client;

    public EventTypesApiTests() => _client = _herald.CreateAdminClient();

    public void Dispose() => _herald.Dispose();

    private async Task<JsonObject> CreateWithSchemasAsync(string name) =>
        await (await _client.PostJsonAsync("/api/v1/event-type", $$"""{"name": "{{name}}", "description": "Paid", "schemas": {{Schemas}}, "groupName": "billing"}"""))
            .ReadObjectAsync(HttpStatusCode.Created);

    private async Task<List<string>> ListNamesAsync(string query = "")
    {
        var list = await (await _client.GetAsync($"/api/v1/event-type{query}")).ReadObjectAsync(HttpStatusCode.OK);
        return list["data"]!.AsArray().Select(e => (string)e!["name"]!).ToList();
    }

    [Fact]
    public async Task Create_ReturnsEventTypeWithItsFields()
    {
        var created = await CreateWithSchemasAsync("invoice.paid");

        Assert.Equal("invoice.paid", (string?)created["name"]);
        Assert.Equal("Paid", (string?)created["description"]);
        Assert.Equal("billing", (string?)created["groupName"]);
        Assert.False((bool)created["archived"]!);
        Assert.False((bool)created["deprecated"]!);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(Schemas), created["schemas"]));
    }

    [Fact]
    public async Task Get_ReturnsTheCreatedEventTypeWithSchemas()
    {
        var created = await CreateWithSchemasAsync("invoice.paid");

        var fetched = await (await _client.GetAsync("/api/v1/event-type/invoice.paid")).ReadObjectAsync(HttpStatusCode.OK);

        Assert.True(JsonNode.DeepEquals(created, fetched));
    }

    [Fact]
    public async Task Get_Unknown_Returns404()
    {
        await (await _client.GetAsync("/api/v1/event-type/no.such.type")).AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task List_WithoutWithContent_HidesSchemas()
    {
        await CreateWithSchemasAsync("invoice.paid");

        var list = await (await _client.GetAsync("/api/v1/event-type")).ReadObjectAsync(HttpStatusCode.OK);
        var item = Assert.Single(list["data"]!.AsArray())!;

        Assert.Equal("invoice.paid", (string?)item["name"]);
        Assert.Null(item["schemas"]);
    }

    [Fact]
    public async Task List_WithContent_ShowsSchemas()
    {
        await CreateWithSchemasAsync("invoice.paid");

        var list = await (await _client.GetAsync("/api/v1/event-type?with_content=true")).ReadObjectAsync(HttpStatusCode.OK);
        var item = Assert.Single(list["data"]!.AsArray())!;

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(Schemas), item["schemas"]));
    }

    [Fact]
    public async Task Delete_ArchivesIt_ListHidesItAndGetShowsArchived()
    {
        await _client.CreateEventTypeAsync("invoice.paid");
        await _client.CreateEventTypeAsync("invoice.failed");

        var deleted = await _client.DeleteAsync("/api/v1/event-type/invoice.paid");

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(["invoice.failed"], await ListNamesAsync());
        var fetched = await (await _client.GetAsync("/api/v1/event-type/invoice.paid")).ReadObjectAsync(HttpStatusCode.OK);
        Assert.True((bool)fetched["archived"]!);
    }

    [Fact]
    public async Task List_IncludeArchived_ShowsArchivedOnes()
    {
        await _client.CreateEventTypeAsync("invoice.paid");
        await _client.CreateEventTypeAsync("invoice.failed");
        (await _client.DeleteAsync("/api/v1/event-type/invoice.paid")).EnsureSuccessStatusCode();

        var list = await (await _client.GetAsync("/api/v1/event-type?include_archived=true")).ReadObjectAsync(HttpStatusCode.OK);

        var items = list["data"]!.AsArray();
        Assert.Equal(["invoice.failed", "invoice.paid"], items.Select(e => (string?)e!["name"]));
        Assert.Equal([false, true], items.Select(e => (bool)e!["archived"]!));
    }

    [Fact]
    public async Task Delete_WithExpunge_RemovesIt()
    {
        await _client.CreateEventTypeAsync("invoice.paid");

        var deleted = await _client.DeleteAsync("/api/v1/event-type/invoice.paid?expunge=true");

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await (await _client.GetAsync("/api/v1/event-type/invoice.paid")).AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
        Assert.Empty(await ListNamesAsync("?include_archived=true"));
    }

    [Fact]
    public async Task Delete_Unknown_Returns404()
    {
        await (await _client.DeleteAsync("/api/v1/event-type/no.such.type")).AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Create_ArchivedName_UnarchivesIt()
    {
        await _client.CreateEventTypeAsync("invoice.paid");
        (await _client.DeleteAsync("/api/v1/event-type/invoice.paid")).EnsureSuccessStatusCode();

        var recreated = await (await _client.PostAsJsonAsync("/api/v1/event-type", new { name = "invoice.paid", description = "Back again" }))
            .ReadObjectAsync(HttpStatusCode.Created);

        Assert.False((bool)recreated["archived"]!);
        Assert.Equal(["invoice.paid"], await ListNamesAsync());
        var fetched = await (await _client.GetAsync("/api/v1/event-type/invoice.paid")).ReadObjectAsync(HttpStatusCode.OK);
        Assert.False((bool)fetched["archived"]!);
        Assert.Equal("Back again", (string?)fetched["description"]);
    }

    [Fact]
    public async Task Create_ExistingActiveName_Returns409()
    {
        await _client.CreateEventTypeAsync("invoice.paid");

        var response = await _client.PostAsJsonAsync("/api/v1/event-type", new { name = "invoice.paid", description = "Again" });

        await response.AssertErrorAsync(HttpStatusCode.Conflict, "conflict");
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("")]
    [InlineData("slash/inside")]
    public async Task Create_InvalidName_Returns422OnName(string name)
    {
        var response = await _client.PostAsJsonAsync("/api/v1/event-type", new { name, description = "x" });

        var error = await response.AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");
        Assert.Equal(["body", "name"], error["detail"]![0]!["loc"]!.AsArray().Select(n => (string?)n));
    }

    [Theory]
    [InlineData("[1, 2]")]
    [InlineData("\"not a schema\"")]
    [InlineData("42")]
    [InlineData("""{"1": "not a schema"}""")]
    public async Task Create_SchemasNotAnObjectOfSchemas_Returns422(string schemas)
    {
        var response = await _client.PostJsonAsync("/api/v1/event-type", $$"""{"name": "invoice.paid", "schemas": {{schemas}}}""");

        var error = await response.AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");
        Assert.Equal(["body", "schemas"], error["detail"]![0]!["loc"]!.AsArray().Select(n => (string?)n).Take(2));
        await (await _client.GetAsync("/api/v1/event-type/invoice.paid")).AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Put_Missing_CreatesItWith201()
    {
        var created = await (await _client.PutAsJsonAsync("/api/v1/event-type/invoice.paid", new { description = "Paid" }))
            .ReadObjectAsync(HttpStatusCode.Created);

        Assert.Equal("invoice.paid", (string?)created["name"]);
        var fetched = await (await _client.GetAsync("/api/v1/event-type/invoice.paid")).ReadObjectAsync(HttpStatusCode.OK);
        Assert.Equal("Paid", (string?)fetched["description"]);
    }

    [Fact]
    public async Task Put_Existing_ReplacesItWith200()
    {
        var created = await CreateWithSchemasAsync("invoice.paid");

        var updated = await (await _client.PutAsJsonAsync("/api/v1/event-type/invoice.paid", new { description = "Replaced", deprecated = true }))
            .ReadObjectAsync(HttpStatusCode.OK);
        var fetched = await (await _client.GetAsync("/api/v1/event-type/invoice.paid")).ReadObjectAsync(HttpStatusCode.OK);

        Assert.True(JsonNode.DeepEquals(updated, fetched));
        Assert.Equal("Replaced", (string?)fetched["description"]);
        Assert.True((bool)fetched["deprecated"]!);
        Assert.Null(fetched["schemas"]);
        Assert.Null(fetched["groupName"]);
        Assert.Equal(created["createdAt"]!.ToString(), fetched["createdAt"]!.ToString());
    }

    [Fact]
    public async Task Put_InvalidPathName_Returns422()
    {
        var response = await _client.PutAsJsonAsync("/api/v1/event-type/has%20space", new { description = "x" });

        await response.AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");
    }

    [Fact]
    public async Task Patch_ChangesOnlySentFields()
    {
        var created = await CreateWithSchemasAsync("invoice.paid");

        var patched = await (await _client.PatchAsJsonAsync("/api/v1/event-type/invoice.paid", new { deprecated = true }))
            .ReadObjectAsync(HttpStatusCode.OK);
        var fetched = await (await _client.GetAsync("/api/v1/event-type/invoice.paid")).ReadObjectAsync(HttpStatusCode.OK);

        Assert.True(JsonNode.DeepEquals(patched, fetched));
        Assert.True((bool)fetched["deprecated"]!);
        Assert.Equal("Paid", (string?)fetched["description"]);
        Assert.Equal("billing", (string?)fetched["groupName"]);
        Assert.True(JsonNode.DeepEquals(created["schemas"], fetched["schemas"]));
    }

    [Fact]
    public async Task Patch_SchemasNull_ClearsSchemas()
    {
        await CreateWithSchemasAsync("invoice.paid");

        var patched = await (await _client.SendJsonAsync(HttpMethod.Patch, "/api/v1/event-type/invoice.paid", """{"schemas": null}"""))
            .ReadObjectAsync(HttpStatusCode.OK);

        Assert.Null(patched["schemas"]);
        Assert.Equal("Paid", (string?)patched["description"]);
    }

    [Fact]
    public async Task Patch_Unknown_Returns404()
    {
        var response = await _client.PatchAsJsonAsync("/api/v1/event-type/no.such.type", new { description = "x" });

        await response.AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
    }
}
