using Herald.Server.Portal;
using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.Portal;

/// <summary>The portal and dashboard pages over HTTP: served offline from Herald itself, framed only where allowed.</summary>
public sealed class PortalPagesTests : IDisposable
{
    private readonly HeraldApplication _herald = new HeraldApplication()
        .With("Herald:Portal:FrameAncestors:0", "https://app.example.com")
        .With("Herald:Portal:FrameAncestors:1", "https://*.example.org");

    public void Dispose() => _herald.Dispose();

    [Fact]
    public async Task PortalPage_AnyApplication_IsFrameableOnlyByConfiguredOrigins()
    {
        var page = await _herald.CreateClient(token: null).GetAsync("/app-portal/app_anything");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var policy = page.Headers.GetValues("Content-Security-Policy").Single();
        Assert.EndsWith("frame-ancestors 'self' https://app.example.com https://*.example.org", policy, StringComparison.Ordinal);
        Assert.Contains("script-src 'self';", policy, StringComparison.Ordinal);
        Assert.False(page.Headers.Contains("X-Frame-Options"), "X-Frame-Options would forbid the allowed embedders too");
    }

    [Fact]
    public async Task Dashboard_AtRoot_IsNeverFramed()
    {
        var page = await _herald.CreateClient(token: null).GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("DENY", page.Headers.GetValues("X-Frame-Options").Single());
        Assert.EndsWith("frame-ancestors 'none'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Contains("Herald", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pages_ReferenceOnlyTheirOwnAssets_AllServed()
    {
        var client = _herald.CreateClient(token: null);
        foreach (var asset in new[] { "herald.css", "api.js", "ui.js", "theme.js", "portal.js", "dashboard.js" })
        {
            var response = await client.GetAsync($"/portal-assets/{asset}");
            Assert.True(response.IsSuccessStatusCode, $"{asset}: {(int)response.StatusCode}");
            Assert.NotNull(response.Headers.ETag);
        }

        // No CDN: every script and stylesheet the pages load comes from Herald.
        foreach (var path in new[] { "/", "/app-portal/app_x" })
        {
            var html = await client.GetStringAsync(path);
            Assert.DoesNotContain("http://", html, StringComparison.Ordinal);
            Assert.DoesNotContain("https://", html, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task MissingAsset_Returns404()
    {
        var response = await _herald.CreateClient(token: null).GetAsync("/portal-assets/nope.js");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Theory]
    [InlineData("app.example.com")]
    [InlineData("https://app.example.com/path")]
    [InlineData("https://a.example.com; script-src *")]
    [InlineData("*")]
    [InlineData("'none'")]
    public void FrameAncestors_NotAnOrigin_IsRefused(string value)
    {
        var result = new PortalOptionsValidation().Validate(null, new PortalOptions { FrameAncestors = ["https://ok.example.com", value] });

        Assert.True(result.Failed);
        Assert.Contains($"Herald:Portal:FrameAncestors: '{value}' is not an origin", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://app.example.com")]
    [InlineData("https://*.example.com")]
    [InlineData("http://127.0.0.1:8080")]
    public void FrameAncestors_Origin_IsAccepted(string value) =>
        Assert.True(new PortalOptionsValidation().Validate(null, new PortalOptions { FrameAncestors = [value] }).Succeeded);
}
