using Herald.Portal.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Herald.Portal.Tests.Browser;

/// <summary>
/// The portal inside another site's iframe, embedded the way svix-react's AppPortal does it (Infrastructure/embed.html):
/// shown on an origin listed in Herald:Portal:FrameAncestors, refused by the browser on any other.
/// </summary>
public sealed class EmbeddingTests(PortalHost host) : IClassFixture<PortalHost>
{
    [SkippableFact]
    public async Task Portal_InIframeOfAllowedOrigin_WorksThemedAndReportsItsHeight()
    {
        var page = await host.NewPageAsync();
        var app = await Seed.ApplicationAsync(host, "Stark Industries", endpoints: ["https://hooks.stark.example/suit"]);
        var url = await Seed.PortalUrlAsync(host, app);

        await page.GotoAsync($"{host.AllowedEmbedder}?url={Uri.EscapeDataString(url)}&darkMode=true&primaryColor=%23ff5500");
        var portal = page.FrameLocator("#portal");
        await Assertions.Expect(portal.Locator("#app-name")).ToHaveTextAsync("Stark Industries", new() { Timeout = 15_000 });
        await Assertions.Expect(portal.GetByRole(AriaRole.Link, new() { Name = "https://hooks.stark.example/suit" })).ToBeVisibleAsync(new() { Timeout = 15_000 });

        // svix-react's query parameters are honoured, and its fullSize resize message arrives.
        var frame = page.Frames.Single(f => f != page.MainFrame);
        Assert.Equal("dark", await frame.EvaluateAsync<string>("document.documentElement.dataset.theme"));
        Assert.Equal("#ff5500", await frame.EvaluateAsync<string>("getComputedStyle(document.documentElement).getPropertyValue('--primary').trim()"));
        await Assertions.Expect(page.Locator("body[data-portal-height]")).ToHaveCountAsync(1, new() { Timeout = 15_000 });
    }

    [SkippableFact]
    public async Task Portal_InIframeOfOtherOrigin_IsRefusedByTheBrowser()
    {
        var page = await host.NewPageAsync();
        var app = await Seed.ApplicationAsync(host, "Wayne Enterprises", endpoints: []);
        var url = await Seed.PortalUrlAsync(host, app);

        var refused = page.WaitForConsoleMessageAsync(new()
        {
            Predicate = m => m.Text.Contains("frame-ancestors", StringComparison.Ordinal),
            Timeout = 15_000,
        });
        await page.GotoAsync($"{host.OtherEmbedder}?url={Uri.EscapeDataString(url)}");
        // Chromium's words vary by version ("Refused to frame …" before, "Framing … violates …" now); both name the
        // refused page and the directive.
        Assert.Contains(host.BaseAddress.ToString(), (await refused).Text, StringComparison.Ordinal);
        var frame = page.Frames.Single(f => f != page.MainFrame);
        Assert.Equal(0, await frame.Locator("#app-name").CountAsync());
        Assert.DoesNotContain("data-portal-height", await page.ContentAsync(), StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Portal_ThemeFromAccessRequest_AppliesDarkModeColourAndLogo()
    {
        var page = await host.NewPageAsync();
        var app = await Seed.ApplicationAsync(host, "Oscorp", endpoints: []);
        const string logo = "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='10' height='10'/%3E";
        var url = await Seed.PortalUrlAsync(host, app, theme: new { darkMode = "true", primaryColor = "#0a7d4f", icon = logo });
        Assert.Contains($"/app-portal/{app}?darkMode=true&primaryColor=%230a7d4f&icon=", url, StringComparison.Ordinal);

        await page.GotoAsync(url);
        await Assertions.Expect(page.Locator("#app-name")).ToHaveTextAsync("Oscorp", new() { Timeout = 15_000 });
        Assert.Equal("dark", await page.EvaluateAsync<string>("document.documentElement.dataset.theme"));
        Assert.Equal("#0a7d4f", await page.EvaluateAsync<string>("getComputedStyle(document.documentElement).getPropertyValue('--primary').trim()"));
        Assert.Equal(logo, await page.Locator("#brand img.logo").GetAttributeAsync("src"));

        // What the page would ignore is refused when the link is made, not silently dropped.
        using var admin = host.CreateAdminClient();
        var refused = await admin.PostAsJsonAsync($"/api/v1/auth/app-portal-access/{app}", new { theme = new { primaryColor = "red; background: url(x)", icon = "javascript:alert(1)" } });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        var body = await refused.Content.ReadAsStringAsync();
        Assert.Contains("primaryColor", body, StringComparison.Ordinal);
        Assert.Contains("icon", body, StringComparison.Ordinal);
    }
}
