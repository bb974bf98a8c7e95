using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.Hosting;

/// <summary>Every answer says "do not sniff" and "send no referrer"; HTML pages (/docs) also refuse to be framed.</summary>
public sealed class SecurityHeadersTests : IDisposable
{
    private readonly HeraldApplication _herald = new();

    public void Dispose() => _herald.Dispose();

    [Fact]
    public async Task DocsPage_CannotBeFramed_NorSniffed()
    {
        using var client = _herald.CreateClient();

        var page = await client.GetAsync("/docs");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Equal("DENY", page.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("frame-ancestors 'none'", page.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal("nosniff", page.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("no-referrer", page.Headers.GetValues("Referrer-Policy").Single());
    }

    [Fact]
    public async Task JsonAnswers_AndErrors_AreNotSniffed()
    {
        using var client = _herald.CreateClient();

        foreach (var response in new[] { await client.GetAsync("/api/v1/health"), await client.GetAsync("/api/v1/app") })
        {
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
            Assert.False(response.Headers.Contains("Strict-Transport-Security")); // plain HTTP
        }
    }
}
