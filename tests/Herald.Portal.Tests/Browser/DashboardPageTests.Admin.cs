using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Herald.Server.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Herald.Portal.Tests.Browser;

/// <summary>The dashboard's health, charts, event-type editor, operational webhooks and API keys.</summary>
public sealed partial class DashboardPageTests
{
    private async Task<IPage> SignedInAsync()
    {
        var page = await host.NewPageAsync();
        page.Dialog += (_, dialog) => dialog.AcceptAsync();
        await page.GotoAsync(host.BaseAddress.ToString());
        await page.GetByLabel("Admin API key").FillAsync(HeraldApplication.AdminToken);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Signed in.", new() { Timeout = 15_000 });
        return page;
    }

    [SkippableFact]
    public async Task Dashboard_AdminKey_ShowsHealthBacklogAndThroughput()
    {
        var app = await Seed.ApplicationAsync(host, "Vehement Capital", endpoints: [host.Receiver.ToString(), host.FailingReceiver.ToString(), "https://hooks.vehement.example/off"]);
        using var admin = host.CreateAdminClient();
        var endpoints = await admin.GetFromJsonAsync<JsonObject>($"/api/v1/app/{app}/endpoint");
        string Id(string url) => (string)endpoints!["data"]!.AsArray().Single(e => (string?)e!["url"] == url)!["id"]!;
        (await admin.PatchAsJsonAsync($"/api/v1/app/{app}/endpoint/{Id("https://hooks.vehement.example/off")}", new { disabled = true })).EnsureSuccessStatusCode();
        var msg = await Seed.DeliveredMessageAsync(host, app, "inv_health");
        // The failing endpoint retries (a backlog, and its latest attempt failed: failing); a resend fails once more.
        (await admin.PostAsync($"/api/v1/app/{app}/msg/{msg}/endpoint/{Id(host.FailingReceiver.ToString())}/resend", null)).EnsureSuccessStatusCode();
        await Seed.AttemptsAsync(host, app, msg, count: 2, status: 2);

        var page = await SignedInAsync();
        var row = page.GetByRole(AriaRole.Row).Filter(new() { HasText = "Vehement Capital" });
        await Assertions.Expect(row).ToContainTextAsync("3 endpoints", new() { Timeout = 15_000 });
        await Assertions.Expect(row).ToContainTextAsync("1 disabled", new() { Timeout = 15_000 });
        await Assertions.Expect(row).ToContainTextAsync("1 failing", new() { Timeout = 15_000 });
        await Assertions.Expect(row).ToContainTextAsync(new Regex(@"[1-9]\d* backlog"), new() { Timeout = 15_000 });
        await Assertions.Expect(page.GetByRole(AriaRole.Img, new() { NameRegex = new Regex(@"^Attempts per day: [1-9]\d* succeeded, [1-9]\d* failed$") }))
            .ToBeVisibleAsync(new() { Timeout = 15_000 });
        await Assertions.Expect(page.Locator(".chart-summary")).ToContainTextAsync("succeeded");
    }

    [SkippableFact]
    public async Task Dashboard_AdminKey_CreatesRotatesAndRevokesApiKey()
    {
        var app = await Seed.ApplicationAsync(host, "Dunder Mifflin", endpoints: []);
        var page = await SignedInAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "API keys" }).ClickAsync();
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("scranton-sync");
        await page.GetByLabel("Scope").SelectOptionAsync(new SelectOptionValue { Label = "one application" });
        await page.GetByLabel("Application id").FillAsync(app);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create API key" }).ClickAsync();

        var secret = page.Locator("#new-key-secret");
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("shown only once", new() { Timeout = 15_000 });
        var first = await secret.TextContentAsync();
        Assert.Equal(HttpStatusCode.OK, await StatusWithAsync(first!, $"/api/v1/app/{app}"));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusWithAsync(first!, "/api/v1/auth/api-key")); // one application only
        var row = page.GetByRole(AriaRole.Row).Filter(new() { HasText = "scranton-sync" });
        await Assertions.Expect(row).ToContainTextAsync($"app:{app}", new() { Timeout = 15_000 });

        await row.GetByRole(AriaRole.Button, new() { Name = "Rotate scranton-sync" }).ClickAsync();
        await Assertions.Expect(secret).Not.ToHaveTextAsync(first!, new() { Timeout = 15_000 });
        var second = await secret.TextContentAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWithAsync(first!, $"/api/v1/app/{app}"));
        Assert.Equal(HttpStatusCode.OK, await StatusWithAsync(second!, $"/api/v1/app/{app}"));

        await page.GetByRole(AriaRole.Button, new() { Name = "Done" }).ClickAsync();
        await Assertions.Expect(secret).ToHaveCountAsync(0); // the secret leaves the page
        await row.GetByRole(AriaRole.Button, new() { Name = "Revoke scranton-sync" }).ClickAsync();
        await Assertions.Expect(row).ToContainTextAsync("revoked", new() { Timeout = 15_000 });
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWithAsync(second!, $"/api/v1/app/{app}"));
    }

    [SkippableFact]
    public async Task Dashboard_AdminKey_EditsEventTypeAndManagesOperationalWebhooks()
    {
        using var admin = host.CreateAdminClient();
        var type = await admin.PostAsJsonAsync("/api/v1/event-type", new { name = "order.shipped", description = "Shipped." });
        Assert.True(type.IsSuccessStatusCode || type.StatusCode == HttpStatusCode.Conflict);
        var page = await SignedInAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Event types" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Edit order.shipped" }).ClickAsync(new() { Timeout = 15_000 });
        await Assertions.Expect(page.GetByLabel("Name", new() { Exact = true })).ToBeDisabledAsync();
        await page.GetByLabel("Description").FillAsync("The order left the warehouse.");
        await page.GetByLabel("Example payload (JSON)").FillAsync("{\"orderId\": \"ord_1\"}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save event type" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Event type order.shipped saved.", new() { Timeout = 15_000 });
        var saved = await admin.GetFromJsonAsync<JsonObject>("/api/v1/event-type/order.shipped");
        Assert.Equal("The order left the warehouse.", (string?)saved!["description"]);
        Assert.Equal("ord_1", (string?)saved["schemas"]!["1"]!["examples"]![0]!["orderId"]);

        await page.GetByRole(AriaRole.Button, new() { Name = "Operational webhooks" }).ClickAsync();
        await page.GetByLabel("URL", new() { Exact = true }).FillAsync("https://ops.example.com/herald");
        await page.GetByLabel("message.attempt.exhausted").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Add operational endpoint" }).ClickAsync();
        var row = page.GetByRole(AriaRole.Row).Filter(new() { HasText = "https://ops.example.com/herald" });
        await Assertions.Expect(row).ToContainTextAsync("message.attempt.exhausted", new() { Timeout = 15_000 });
        await row.GetByRole(AriaRole.Button, new() { Name = "Signing secret of https://ops.example.com/herald" }).ClickAsync();
        await Assertions.Expect(page.Locator(".secret code")).ToHaveTextAsync(new Regex("^whsec_"), new() { Timeout = 15_000 });
        var list = await admin.GetFromJsonAsync<JsonObject>("/api/v1/operational-webhook/endpoint");
        Assert.Contains(list!["data"]!.AsArray(), e => (string?)e!["url"] == "https://ops.example.com/herald");

        await row.GetByRole(AriaRole.Button, new() { Name = "Delete https://ops.example.com/herald" }).ClickAsync();
        await Assertions.Expect(row).ToHaveCountAsync(0, new() { Timeout = 15_000 });
        list = await admin.GetFromJsonAsync<JsonObject>("/api/v1/operational-webhook/endpoint");
        Assert.DoesNotContain(list!["data"]!.AsArray(), e => (string?)e!["url"] == "https://ops.example.com/herald");
    }

    [SkippableFact]
    public async Task Dashboard_EveryView_PassesAxe()
    {
        await Seed.ApplicationAsync(host, "Pied Piper", endpoints: [host.Receiver.ToString()]);
        var page = await host.NewPageAsync();
        await page.GotoAsync(host.BaseAddress.ToString());
        await PortalPageTests.AxeAsync(page, "sign-in");
        await page.GetByLabel("Admin API key").FillAsync(HeraldApplication.AdminToken);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = "Pied Piper" })).ToContainTextAsync("backlog", new() { Timeout = 15_000 });
        await Assertions.Expect(page.Locator(".chart-summary")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await PortalPageTests.AxeAsync(page, "applications");
        foreach (var (tab, ready) in new[] { ("Event types", "New event type"), ("Operational webhooks", "New operational webhook endpoint"), ("API keys", "New API key") })
        {
            await page.GetByRole(AriaRole.Button, new() { Name = tab }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = ready })).ToBeVisibleAsync(new() { Timeout = 15_000 });
            await Assertions.Expect(page.GetByRole(AriaRole.Table).Locator("tbody tr").First).ToBeVisibleAsync(new() { Timeout = 15_000 });
            await PortalPageTests.AxeAsync(page, tab);
        }
    }

    private async Task<HttpStatusCode> StatusWithAsync(string key, string path)
    {
        using var client = new HttpClient { BaseAddress = host.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return (await client.GetAsync(path)).StatusCode;
    }
}
