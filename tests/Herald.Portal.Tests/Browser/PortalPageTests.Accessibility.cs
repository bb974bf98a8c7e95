using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Herald.Portal.Tests.Browser;

/// <summary>Every view of the portal passes axe-core's WCAG 2.1 AA rules, in both themes, and works from the keyboard.</summary>
public sealed partial class PortalPageTests
{
    [SkippableFact]
    public async Task Portal_EveryView_PassesAxeInLightAndDarkTheme()
    {
        var app = await Seed.ApplicationAsync(host, "Costanza", endpoints: [host.Receiver.ToString()]);
        var msg = await Seed.DeliveredMessageAsync(host, app, "inv_a11y");
        using var admin = host.CreateAdminClient();
        (await admin.PostAsJsonAsync($"/api/v1/app/{app}/destination", new { type = "pollingEndpoint", uid = "a11y-feed" })).EnsureSuccessStatusCode();

        foreach (var dark in new[] { false, true })
        {
            var page = await host.NewPageAsync();
            await page.GotoAsync(await Seed.PortalUrlAsync(host, app, theme: dark ? new { darkMode = "true" } : null));
            var endpoint = page.GetByRole(AriaRole.Link, new() { Name = host.Receiver.ToString() });
            await Assertions.Expect(endpoint).ToBeVisibleAsync(Soon);
            await AxeAsync(page, "endpoints", dark);

            await endpoint.ClickAsync();
            await Assertions.Expect(page.Locator(".chart-summary")).ToBeVisibleAsync(Soon);
            await Assertions.Expect(page.GetByRole(AriaRole.Table, new() { Name = "Delivery attempts" }).GetByRole(AriaRole.Link).First).ToBeVisibleAsync(Soon);
            await AxeAsync(page, "endpoint", dark);

            await page.GetByRole(AriaRole.Button, new() { Name = "Edit" }).ClickAsync();
            await Assertions.Expect(page.GetByLabel("Custom headers")).ToBeVisibleAsync(Soon);
            await AxeAsync(page, "endpoint form", dark);

            await page.GetByRole(AriaRole.Button, new() { Name = "Polling endpoints" }).ClickAsync();
            await page.GetByRole(AriaRole.Link, new() { Name = "a11y-feed" }).ClickAsync(new() { Timeout = 15_000 });
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Live tail" })).ToBeVisibleAsync(Soon);
            await AxeAsync(page, "polling endpoint", dark);

            await page.GetByRole(AriaRole.Button, new() { Name = "Event catalog" }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = Seed.EventType })).ToBeVisibleAsync(Soon);
            await AxeAsync(page, "catalog", dark);

            await page.GetByRole(AriaRole.Button, new() { Name = "Logs" }).ClickAsync();
            await page.GetByRole(AriaRole.Link, new() { Name = msg }).ClickAsync(new() { Timeout = 15_000 });
            await Assertions.Expect(page.GetByRole(AriaRole.Table, new() { Name = "Delivery attempts" }).GetByRole(AriaRole.Link).First).ToBeVisibleAsync(Soon);
            await AxeAsync(page, "message", dark);

            await page.GetByRole(AriaRole.Table, new() { Name = "Delivery attempts" }).GetByRole(AriaRole.Link).First.ClickAsync();
            await Assertions.Expect(page.Locator("#attempt-response")).ToBeVisibleAsync(Soon);
            await AxeAsync(page, "attempt", dark);
            await page.Context.CloseAsync();
        }
    }

    [SkippableFact]
    public async Task Portal_KeyboardOnly_SkipsToContentAndSwitchesTabs()
    {
        var page = await host.NewPageAsync();
        var app = await Seed.ApplicationAsync(host, "Benes", endpoints: ["https://hooks.benes.example/a"]);
        await page.GotoAsync(await Seed.PortalUrlAsync(host, app));
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "https://hooks.benes.example/a" })).ToBeVisibleAsync(Soon);

        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("Skip to content", await page.EvaluateAsync<string>("document.activeElement.textContent"));
        for (var i = 0; i < 4; i++)
        {
            await page.Keyboard.PressAsync("Tab"); // Endpoints, Polling endpoints, Event catalog, Logs
        }

        Assert.Equal("Logs", await page.EvaluateAsync<string>("document.activeElement.textContent"));
        Assert.NotEqual("none", await page.EvaluateAsync<string>("getComputedStyle(document.activeElement).outlineStyle")); // a visible focus ring
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Logs" })).ToBeVisibleAsync(Soon);
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Logs" })).ToHaveAttributeAsync("aria-current", "page");
    }

    /// <summary>Runs axe-core's WCAG 2.0/2.1 A and AA rules on the page and fails with what it found.</summary>
    internal static async Task AxeAsync(IPage page, string view, bool dark = false)
    {
        var result = await page.RunAxe(new AxeRunOptions { RunOnly = new RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } });
        Assert.NotEmpty(result.Passes); // axe really ran its rules on the page
        var found = result.Violations.Select(v => $"{v.Id} ({v.Impact}): {v.Help} — {string.Join(" | ", v.Nodes.Take(3).Select(n => n.Html))}").ToList();
        Assert.True(found.Count == 0, $"axe on the {view} view{(dark ? " (dark)" : "")}:\n{string.Join('\n', found)}");
    }
}
