using Herald.Server.Tests.Infrastructure;
using Microsoft.OpenApi;

namespace Herald.Server.Tests.Api;

public sealed class DocsAndHealthTests : IDisposable
{
    private readonly HeraldApplication _herald = new();
    private readonly HttpClient _anonymous;

    public DocsAndHealthTests() => _anonymous = _herald.CreateClient(token: null);

    public void Dispose() => _herald.Dispose();

    [Fact]
    public async Task Health_WithoutToken_ReturnsOk()
    {
        var health = await (await _anonymous.GetAsync("/api/v1/health")).ReadObjectAsync(HttpStatusCode.OK);

        Assert.Equal("ok", (string?)health["status"]);
        Assert.False(string.IsNullOrEmpty((string?)health["version"]));
    }

    [Fact]
    public async Task OpenApiDocument_IsValid_AndDescribesTheApi()
    {
        var response = await _anonymous.GetAsync("/openapi/v1.json");
        var json = await response.ReadObjectAsync(HttpStatusCode.OK);
        Assert.StartsWith("3.", (string?)json["openapi"]);

        var result = await OpenApiDocument.LoadAsync(new MemoryStream(await response.Content.ReadAsByteArrayAsync()), "json");

        Assert.Empty(result.Diagnostic?.Errors ?? []);
        var document = Assert.IsType<OpenApiDocument>(result.Document);
        Assert.Empty(document.Validate(ValidationRuleSet.GetDefaultRuleSet()) ?? []);
        foreach (var path in new[] { "/api/v1/app", "/api/v1/app/{app_id}/msg", "/api/v1/event-type" })
        {
            Assert.True(document.Paths.ContainsKey(path), $"{path} is missing from the OpenAPI document");
        }

        Assert.Contains(HttpMethod.Post, document.Paths["/api/v1/app/{app_id}/msg"].Operations!.Keys);
    }

    [Fact]
    public async Task Docs_ReturnsAnHtmlPage()
    {
        var response = await _anonymous.GetAsync("/docs");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("<html", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Herald API", html, StringComparison.Ordinal);
    }
}
