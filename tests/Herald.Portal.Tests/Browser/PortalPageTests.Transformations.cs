using Microsoft.Playwright;

namespace Herald.Portal.Tests.Browser;

public sealed partial class PortalPageTests
{
    [SkippableFact]
    public async Task Portal_Transformation_SavesCodeAndTriesItWithoutSending()
    {
        var page = await host.NewPageAsync();
        var app = await Seed.ApplicationAsync(host, "Transformers", endpoints: ["https://hooks.transformers.example/in"]);
        await page.GotoAsync(await Seed.PortalUrlAsync(host, app));
        await page.GetByRole(AriaRole.Link, new() { Name = "https://hooks.transformers.example/in" }).ClickAsync(new() { Timeout = 15_000 });
        await Assertions.Expect(page.GetByText("No transformation yet.")).ToBeVisibleAsync(Soon);

        const string code = "function handler(webhook) { webhook.method = 'PUT'; webhook.payload = { wrapped: webhook.payload }; return webhook; }";
        await page.GetByLabel("Code", new() { Exact = true }).FillAsync(code);
        await page.GetByLabel("Payload").FillAsync("""{"invoice": 42}""");
        await page.GetByRole(AriaRole.Button, new() { Name = "Try it" }).ClickAsync();
        await Assertions.Expect(page.Locator("#transformation-result pre")).ToContainTextAsync("""{"wrapped":{"invoice":42}}""", new() { Timeout = 15_000 });
        await Assertions.Expect(page.Locator("#transformation-result pre")).ToContainTextAsync("PUT https://hooks.transformers.example/in");

        await page.GetByLabel("Run it before every delivery").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save transformation" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Transformation saved and on.", new() { Timeout = 15_000 });

        using var admin = host.CreateAdminClient();
        var endpoints = await admin.GetFromJsonAsync<JsonObject>($"/api/v1/app/{app}/endpoint");
        var id = (string)endpoints!["data"]![0]!["id"]!;
        var stored = await admin.GetFromJsonAsync<JsonObject>($"/api/v1/app/{app}/endpoint/{id}/transformation");
        Assert.Equal((code, true), ((string?)stored!["code"], (bool)stored["enabled"]!));
        var messages = await admin.GetFromJsonAsync<JsonObject>($"/api/v1/app/{app}/msg");
        Assert.Empty(messages!["data"]!.AsArray());
    }

    [SkippableFact]
    public async Task Portal_Transformation_WithAThrowingScript_ShowsTheError()
    {
        var page = await host.NewPageAsync();
        var app = await Seed.ApplicationAsync(host, "Decepticons", endpoints: ["https://hooks.decepticons.example/in"]);
        await page.GotoAsync(await Seed.PortalUrlAsync(host, app));
        await page.GetByRole(AriaRole.Link, new() { Name = "https://hooks.decepticons.example/in" }).ClickAsync(new() { Timeout = 15_000 });

        await page.GetByLabel("Code", new() { Exact = true }).FillAsync("function handler(webhook) { throw new Error('no invoice here'); }");
        await page.GetByRole(AriaRole.Button, new() { Name = "Try it" }).ClickAsync();

        await Assertions.Expect(page.Locator("#transformation-result .error")).ToContainTextAsync("no invoice here", new() { Timeout = 15_000 });
    }
}
