using System.Text.RegularExpressions;
using Herald.Portal.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Herald.Portal.Tests.Browser;

/// <summary>The app portal in a real browser, as a platform's customer uses it, with a full and a read-only token.</summary>
public sealed partial class PortalPageTests(PortalHost host) : IClassFixture<PortalHost>
{
    private static readonly LocatorAssertionsToBeVisibleOptions Soon = new() { Timeout = 15_000 };

    [SkippableFact]
    public async Task Portal_FullToken_ListsAndCreatesEndpoint()
    {
        var page = await host.NewPageAsync();
        var app = await Seed.ApplicationAsync(host, "Acme Corp", endpoints: ["https://hooks.acme.example/existing"]);
        var url = await Seed.PortalUrlAsync(host, app);

        await page.GotoAsync(url);
        await Assertions.Expect(page.Locator("#app-name")).ToHaveTextAsync("Acme Corp", new() { Timeout = 15_000 });
        Assert.DoesNotContain("token", page.Url, StringComparison.Ordinal); // the fragment is dropped from the address bar
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "https://hooks.acme.example/existing" })).ToBeVisibleAsync(Soon);

        await page.GetByRole(AriaRole.Button, new() { Name = "Add endpoint" }).ClickAsync();
        await page.GetByLabel("Endpoint URL").FillAsync("https://hooks.acme.example/new");
        await page.GetByLabel("Description").FillAsync("Created in the portal");
        await page.GetByLabel(Seed.EventType).CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "https://hooks.acme.example/new" })).ToBeVisibleAsync(Soon);

        using var admin = host.CreateAdminClient();
        var list = await admin.GetFromJsonAsync<JsonObject>($"/api/v1/app/{app}/endpoint");
        var created = list!["data"]!.AsArray().Single(e => (string?)e!["url"] == "https://hooks.acme.example/new")!;
        Assert.Equal("Created in the portal", (string?)created["description"]);
        Assert.Equal(Seed.EventType, (string?)created["filterTypes"]![0]);

        await page.GetByRole(AriaRole.Link, new() { Name = "← All endpoints" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "https://hooks.acme.example/new" })).ToBeVisibleAsync(Soon);
        await PortalHost.ScreenshotForDocsAsync(page, "portal.png");
    }

    [SkippableFact]
    public async Task Portal_FullToken_DisablesRevealsSecretAndDeletesEndpoint()
    {
        var page = await host.NewPageAsync();
        var app = await Seed.ApplicationAsync(host, "Globex", endpoints: ["https://hooks.globex.example/a"]);
        await page.GotoAsync(await Seed.PortalUrlAsync(host, app));
        await page.GetByRole(AriaRole.Link, new() { Name = "https://hooks.globex.example/a" }).ClickAsync(new() { Timeout = 15_000 });

        await page.GetByRole(AriaRole.Button, new() { Name = "Disable" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Enable" })).ToBeVisibleAsync(Soon);

        await page.GetByRole(AriaRole.Button, new() { Name = "Reveal secret" }).ClickAsync();
        await Assertions.Expect(page.Locator(".secret code")).ToHaveTextAsync(new Regex("^whsec_"), new() { Timeout = 15_000 });

        page.Dialog += (_, dialog) => dialog.AcceptAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await Assertions.Expect(page.GetByText("No endpoints yet.")).ToBeVisibleAsync(Soon);

        using var admin = host.CreateAdminClient();
        var list = await admin.GetFromJsonAsync<JsonObject>($"/api/v1/app/{app}/endpoint");
        Assert.Empty(list!["data"]!.AsArray());
    }

    [SkippableFact]
    public async Task Portal_FullToken_SendsTestEventAndShowsTheReceiversResponse()
    {
        var page = await host.NewPageAsync();
        var app = await Seed.ApplicationAsync(host, "Soylent", endpoints: [host.Receiver.ToString()]);
        await page.GotoAsync(await Seed.PortalUrlAsync(host, app));
        await page.GetByRole(AriaRole.Link, new() { Name = host.Receiver.ToString() }).ClickAsync(new() { Timeout = 15_000 });

        await page.GetByLabel("Send a test event of type").SelectOptionAsync(Seed.EventType);
        await page.GetByRole(AriaRole.Button, new() { Name = "Send example" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync($"Example {Seed.EventType} sent.", new() { Timeout = 15_000 });

        // Delivery happens in the background: refresh the attempts as a user would until it shows.
        var attempt = page.GetByRole(AriaRole.Row).Filter(new() { HasText = "success" });
        var refresh = page.GetByRole(AriaRole.Navigation, new() { Name = "Delivery attempts pages" }).GetByRole(AriaRole.Button, new() { Name = "Refresh" });
        for (var deadline = DateTime.UtcNow.AddSeconds(30); await attempt.CountAsync() == 0 && DateTime.UtcNow < deadline;)
        {
            await refresh.ClickAsync();
            await page.WaitForTimeoutAsync(250);
        }

        await Assertions.Expect(attempt).ToHaveCountAsync(1);
        await Assertions.Expect(attempt).ToContainTextAsync("200");
        await attempt.Locator("summary").ClickAsync();
        await Assertions.Expect(attempt.Locator("pre")).ToHaveTextAsync("thanks from the receiver");

        await attempt.GetByRole(AriaRole.Button, new() { Name = "Resend" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Resend queued.", new() { Timeout = 15_000 });
    }

    [SkippableFact]
    public async Task Portal_ReadOnlyToken_ShowsNoWriteControls()
    {
        var page = await host.NewPageAsync();
        var app = await Seed.ApplicationAsync(host, "Initech", endpoints: ["https://hooks.initech.example/tps"]);
        await page.GotoAsync(await Seed.PortalUrlAsync(host, app, readOnly: true));

        await Assertions.Expect(page.GetByText("read-only")).ToBeVisibleAsync(Soon);
        var endpoint = page.GetByRole(AriaRole.Link, new() { Name = "https://hooks.initech.example/tps" });
        await Assertions.Expect(endpoint).ToBeVisibleAsync(Soon);
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Add endpoint" })).ToHaveCountAsync(0);

        await endpoint.ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Delivery attempts" })).ToBeVisibleAsync(Soon);
        foreach (var write in new[] { "Edit", "Disable", "Delete", "Reveal secret", "Rotate secret", "Send example" })
        {
            await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = write, Exact = true })).ToHaveCountAsync(0);
        }

        await page.GetByRole(AriaRole.Button, new() { Name = "Event catalog" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = Seed.EventType })).ToBeVisibleAsync(Soon);
    }

    [SkippableFact]
    public async Task Portal_WithoutToken_SaysTheLinkIsIncomplete()
    {
        var page = await host.NewPageAsync();
        await page.GotoAsync(new Uri(host.BaseAddress, "/app-portal/app_missing").ToString());
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("needs an app-portal link", new() { Timeout = 15_000 });
    }
}
