using Herald.Portal.Tests.Infrastructure;
using Herald.Server.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Herald.Portal.Tests.Browser;

/// <summary>The operator dashboard at <c>/</c>, signed in with the admin API key.</summary>
public sealed partial class DashboardPageTests(PortalHost host) : IClassFixture<PortalHost>
{
    private static readonly LocatorAssertionsToBeVisibleOptions Soon = new() { Timeout = 15_000 };

    [SkippableFact]
    public async Task Dashboard_AdminKey_ListsApplicationsAndOpensTheirPortal()
    {
        var page = await host.NewPageAsync();
        var umbrella = await Seed.ApplicationAsync(host, "Umbrella", endpoints: [host.Receiver.ToString(), "https://hooks.umbrella.example/b"]);
        await Seed.DeliveredMessageAsync(host, umbrella);

        await page.GotoAsync(host.BaseAddress.ToString());
        await page.GetByLabel("Admin API key").FillAsync(HeraldApplication.AdminToken);
        await page.GetByLabel("Admin API key").PressAsync("Enter"); // the keyboard alone signs in
        var row = page.GetByRole(AriaRole.Row).Filter(new() { HasText = "Umbrella" });
        await Assertions.Expect(row).ToBeVisibleAsync(Soon);
        await Assertions.Expect(row).ToContainTextAsync("2 endpoints", new() { Timeout = 15_000 });
        await Assertions.Expect(row).ToContainTextAsync("1 ok", new() { Timeout = 15_000 }); // the delivered message's attempt
        await PortalHost.ScreenshotForDocsAsync(page, "dashboard.png");

        await row.GetByRole(AriaRole.Button, new() { Name = "Open portal of Umbrella" }).ClickAsync();
        var popup = await page.Context.RunAndWaitForPageAsync(() =>
            page.GetByRole(AriaRole.Link, new() { Name = "Open Umbrella's portal" }).ClickAsync());
        await Assertions.Expect(popup.Locator("#app-name")).ToHaveTextAsync("Umbrella", new() { Timeout = 15_000 });
        await Assertions.Expect(popup.GetByRole(AriaRole.Link, new() { Name = "https://hooks.umbrella.example/b" })).ToBeVisibleAsync(Soon);
    }

    [SkippableFact]
    public async Task Dashboard_WrongKey_IsRefusedAndShowsNoData()
    {
        var page = await host.NewPageAsync();
        await page.GotoAsync(host.BaseAddress.ToString());
        await page.GetByLabel("Admin API key").FillAsync("herald_sk_not_a_real_key_000000000000");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("That key is not valid.", new() { Timeout = 15_000 });
        await Assertions.Expect(page.GetByRole(AriaRole.Table)).ToHaveCountAsync(0);
    }

    [SkippableFact]
    public async Task Dashboard_PortalToken_IsRefusedAsNotAdmin()
    {
        var page = await host.NewPageAsync();
        var app = await Seed.ApplicationAsync(host, "Hooli", endpoints: []);
        var url = await Seed.PortalUrlAsync(host, app);
        var token = url[(url.IndexOf("#token=", StringComparison.Ordinal) + "#token=".Length)..];

        await page.GotoAsync(host.BaseAddress.ToString());
        await page.GetByLabel("Admin API key").FillAsync(token);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("needs an admin key", new() { Timeout = 15_000 });
    }
}
