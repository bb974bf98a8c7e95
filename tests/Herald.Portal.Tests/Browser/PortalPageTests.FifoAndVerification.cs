using Microsoft.Playwright;

namespace Herald.Portal.Tests.Browser;

public sealed partial class PortalPageTests
{
    [SkippableFact]
    public async Task Portal_EndpointForm_CreatesAFifoEndpointWithAnOwnershipCheck_AndShowsBoth()
    {
        var page = await host.NewPageAsync();
        var app = await Seed.ApplicationAsync(host, "Ordered Inc", endpoints: []);
        await page.GotoAsync(await Seed.PortalUrlAsync(host, app));

        await page.GetByRole(AriaRole.Button, new() { Name = "Add endpoint" }).ClickAsync(new() { Timeout = 15_000 });
        await page.GetByLabel("Endpoint URL").FillAsync("https://hooks.ordered.invalid/in");
        await page.GetByLabel("Delivery order").SelectOptionAsync("skip");
        await page.GetByLabel("Ownership check").SelectOptionAsync("handshake");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "https://hooks.ordered.invalid/in" })).ToBeVisibleAsync(Soon);

        await Assertions.Expect(page.GetByText("strict (skips a message that fails for good)")).ToBeVisibleAsync(Soon);
        await Assertions.Expect(page.Locator("#verification-state")).ToContainTextAsync("(handshake)");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Check ownership again" })).ToBeVisibleAsync(Soon);

        using var admin = host.CreateAdminClient();
        var list = await admin.GetFromJsonAsync<JsonObject>($"/api/v1/app/{app}/endpoint");
        var created = list!["data"]![0]!;
        Assert.Equal((true, "skip"), ((bool)created["fifo"]!, (string?)created["fifoOnExhaustion"]));
        Assert.Equal("handshake", (string?)created["verification"]!["method"]);
    }
}
