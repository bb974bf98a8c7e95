using System.Text.RegularExpressions;
using Herald.Portal.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Herald.Portal.Tests.Browser;

/// <summary>The portal's logs, endpoint settings and charts, polling endpoints and live tail.</summary>
public sealed partial class PortalPageTests
{
    private static SelectOptionValue Option(string label) => new() { Label = label };

    [SkippableFact]
    public async Task Logs_FullToken_FilterMessagesAndShowAttemptRequestResponseAndResend()
    {
        var page = await host.NewPageAsync();
        var app = await Seed.ApplicationAsync(host, "Vandelay", endpoints: [host.Receiver.ToString()]);
        var eu = await Seed.DeliveredMessageAsync(host, app, "inv_eu", ["eu"]);
        var us = await Seed.DeliveredMessageAsync(host, app, "inv_us", ["us"]);
        await page.GotoAsync(await Seed.PortalUrlAsync(host, app));
        await page.GetByRole(AriaRole.Button, new() { Name = "Logs" }).ClickAsync(new() { Timeout = 15_000 });

        var messages = page.GetByRole(AriaRole.Table, new() { Name = "Messages" });
        var euLink = messages.GetByRole(AriaRole.Link, new() { Name = eu });
        var usLink = messages.GetByRole(AriaRole.Link, new() { Name = us });
        await Assertions.Expect(euLink).ToBeVisibleAsync(Soon);
        await Assertions.Expect(usLink).ToBeVisibleAsync(Soon);
        var status = page.GetByLabel("Status", new() { Exact = true });
        await Assertions.Expect(status).ToBeDisabledAsync(); // a message's status is per endpoint

        await page.GetByLabel("Channel").FillAsync("eu");
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply" }).ClickAsync();
        await Assertions.Expect(usLink).ToHaveCountAsync(0, new() { Timeout = 15_000 });
        await Assertions.Expect(euLink).ToBeVisibleAsync(Soon);

        await page.GetByLabel("Endpoint", new() { Exact = true }).SelectOptionAsync(Option(host.Receiver.ToString()));
        await status.SelectOptionAsync(Option("failed"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply" }).ClickAsync();
        await Assertions.Expect(page.GetByText("No messages match.")).ToBeVisibleAsync(Soon);
        await status.SelectOptionAsync(Option("success"));
        await page.GetByLabel("Since").FillAsync(DateTime.Now.AddHours(-1).ToString("yyyy-MM-ddTHH:mm"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply" }).ClickAsync();
        await Assertions.Expect(messages.GetByRole(AriaRole.Row).Filter(new() { HasText = eu })).ToContainTextAsync("success", new() { Timeout = 15_000 });
        await Assertions.Expect(usLink).ToHaveCountAsync(0);

        await euLink.ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Table, new() { Name = "Endpoints of this message" }).GetByRole(AriaRole.Row).Filter(new() { HasText = host.Receiver.ToString() }))
            .ToContainTextAsync("success", new() { Timeout = 15_000 });
        await page.GetByRole(AriaRole.Table, new() { Name = "Delivery attempts" }).GetByRole(AriaRole.Link).First.ClickAsync(new() { Timeout = 15_000 });

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Request" })).ToBeVisibleAsync(Soon);
        await Assertions.Expect(page.GetByText($"POST {host.Receiver}")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#attempt-request")).ToContainTextAsync("\"invoiceId\": \"inv_eu\"");
        await Assertions.Expect(page.GetByText("HTTP 200")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#attempt-response")).ToHaveTextAsync("thanks from the receiver");

        await page.GetByRole(AriaRole.Button, new() { Name = "Resend", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Resend queued.", new() { Timeout = 15_000 });
        await Seed.AttemptsAsync(host, app, eu, count: 2, status: 0); // the resend was really sent
    }

    [SkippableFact]
    public async Task Endpoint_FullToken_EditsHeadersRateLimitTimeoutAndChannels()
    {
        var page = await host.NewPageAsync();
        var app = await Seed.ApplicationAsync(host, "Kramerica", endpoints: []);
        using var admin = host.CreateAdminClient();
        var created = await admin.PostAsJsonAsync($"/api/v1/app/{app}/endpoint", new
        {
            url = "https://hooks.kramerica.example/a",
            headers = new Dictionary<string, string> { ["X-Team"] = "blue", ["Authorization"] = "Bearer s3cret" },
        });
        created.EnsureSuccessStatusCode();
        var endpoint = (string)(await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;

        await page.GotoAsync(await Seed.PortalUrlAsync(host, app));
        await page.GetByRole(AriaRole.Link, new() { Name = "https://hooks.kramerica.example/a" }).ClickAsync(new() { Timeout = 15_000 });
        await Assertions.Expect(page.Locator(".facts")).ToContainTextAsync("X-Team, Authorization (secret)", new() { Timeout = 15_000 });

        await page.GetByRole(AriaRole.Button, new() { Name = "Edit" }).ClickAsync();
        var headers = page.GetByLabel("Custom headers");
        await Assertions.Expect(headers).ToHaveValueAsync("X-Team: blue", new() { Timeout = 15_000 }); // the secret one is not shown
        await headers.FillAsync("X-Team: green\nX-Region: eu");
        await page.GetByLabel("Remove Authorization").CheckAsync();
        await page.GetByLabel("Rate limit (messages per second)").FillAsync("5");
        await page.GetByLabel("Timeout (seconds)").FillAsync("10");
        await page.GetByLabel("Channels").FillAsync("eu, us");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();

        var facts = page.Locator(".facts");
        await Assertions.Expect(facts).ToContainTextAsync("5/s", new() { Timeout = 15_000 });
        await Assertions.Expect(facts).ToContainTextAsync("10 s");
        await Assertions.Expect(facts).ToContainTextAsync("eu, us");
        await Assertions.Expect(facts).ToContainTextAsync("X-Team, X-Region");

        var saved = await admin.GetFromJsonAsync<JsonObject>($"/api/v1/app/{app}/endpoint/{endpoint}");
        Assert.Equal(5, (int)saved!["rateLimit"]!);
        Assert.Equal(10, (int)saved["timeoutSeconds"]!);
        Assert.Equal(["eu", "us"], saved["channels"]!.AsArray().Select(c => (string)c!));
        var savedHeaders = await admin.GetFromJsonAsync<JsonObject>($"/api/v1/app/{app}/endpoint/{endpoint}/headers");
        Assert.Equal("green", (string?)savedHeaders!["headers"]!["X-Team"]);
        Assert.Equal("eu", (string?)savedHeaders["headers"]!["X-Region"]);
        Assert.Empty(savedHeaders["sensitive"]!.AsArray());
    }

    [SkippableFact]
    public async Task Endpoint_AfterDeliveries_ChartsSuccessRateAndLatency()
    {
        var page = await host.NewPageAsync();
        var app = await Seed.ApplicationAsync(host, "Pendant", endpoints: [host.Receiver.ToString(), host.FailingReceiver.ToString()]);
        var id = await Seed.DeliveredMessageAsync(host, app, "inv_chart");
        await Seed.AttemptsAsync(host, app, id, count: 1, status: 2); // and failed once to the other endpoint
        await page.GotoAsync(await Seed.PortalUrlAsync(host, app));

        await page.GetByRole(AriaRole.Link, new() { Name = host.Receiver.ToString() }).ClickAsync(new() { Timeout = 15_000 });
        await Assertions.Expect(page.Locator(".chart-summary")).ToHaveTextAsync(new Regex(@"^1 attempt, 100% succeeded, median \d+ ms, p95 \d+ ms$"), new() { Timeout = 15_000 });
        await Assertions.Expect(page.GetByRole(AriaRole.Img, new() { Name = "Attempts per hour: 100% succeeded" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Img, new() { NameRegex = new Regex(@"^Median latency per hour: median \d+ ms$") })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("svg.chart rect.chart-ok")).ToHaveCountAsync(1);
        await PortalHost.ScreenshotForDocsAsync(page, "portal-endpoint.png");

        await page.GetByRole(AriaRole.Link, new() { Name = "← All endpoints" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = host.FailingReceiver.ToString() }).ClickAsync(new() { Timeout = 15_000 });
        await Assertions.Expect(page.Locator(".chart-summary")).ToHaveTextAsync(new Regex(@"^\d+ attempts?, 0% succeeded"), new() { Timeout = 15_000 });
        await Assertions.Expect(page.Locator("svg.chart rect.chart-bad")).Not.ToHaveCountAsync(0);
    }

    [SkippableFact]
    public async Task Endpoint_FullToken_ReplaysMissingMessagesAndStartsRecovery()
    {
        var page = await host.NewPageAsync();
        var app = await Seed.ApplicationAsync(host, "Pennypacker", endpoints: []);
        var before = await Seed.PublishAsync(host, app, "inv_before_endpoint"); // no endpoint yet: sent nowhere
        using var admin = host.CreateAdminClient();
        (await admin.PostAsJsonAsync($"/api/v1/app/{app}/endpoint", new { url = host.Receiver.ToString() })).EnsureSuccessStatusCode();

        await page.GotoAsync(await Seed.PortalUrlAsync(host, app));
        await page.GetByRole(AriaRole.Link, new() { Name = host.Receiver.ToString() }).ClickAsync(new() { Timeout = 15_000 });
        await page.GetByLabel("Since", new() { Exact = true }).FillAsync(DateTime.Now.AddDays(-1).ToString("yyyy-MM-ddTHH:mm"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Replay missing" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Replay of missing messages started", new() { Timeout = 15_000 });
        await Seed.AttemptsAsync(host, app, before, count: 1, status: 0);

        await page.GetByRole(AriaRole.Button, new() { Name = "Recover failed" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Recovery of failed messages started", new() { Timeout = 15_000 });
    }

    [SkippableFact]
    public async Task Polling_FullToken_CreatesOneShowsHowToConsumeAndTailsNewEvents()
    {
        var page = await host.NewPageAsync();
        var app = await Seed.ApplicationAsync(host, "Bania", endpoints: []);
        await page.GotoAsync(await Seed.PortalUrlAsync(host, app));
        await page.GetByRole(AriaRole.Button, new() { Name = "Polling endpoints" }).ClickAsync(new() { Timeout = 15_000 });
        await page.GetByRole(AriaRole.Button, new() { Name = "Add polling endpoint" }).ClickAsync();
        await page.GetByLabel("Name (uid)").FillAsync("billing-sync");
        await page.GetByLabel(Seed.EventType).CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Create polling endpoint" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "billing-sync" })).ToBeVisibleAsync(Soon);
        using var admin = host.CreateAdminClient();
        var sink = await admin.GetFromJsonAsync<JsonObject>($"/api/v1/app/{app}/destination/billing-sync");
        var sinkId = (string)sink!["id"]!;
        Assert.Equal(Seed.EventType, (string?)sink["eventTypes"]![0]);
        var url = $"{host.BaseAddress.ToString().TrimEnd('/')}/api/v1/app/{app}/poller/{sinkId}";
        await Assertions.Expect(page.Locator("#poller-url")).ToHaveTextAsync(url);
        await Assertions.Expect(page.GetByText($"herald listen --app {app} --name billing-sync")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText($"curl -N -H \"Authorization: Bearer $HERALD_TOKEN\" \"{url}/stream\"")).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Start live tail" }).ClickAsync();
        await Assertions.Expect(page.Locator("#tail-state")).ToHaveTextAsync(new Regex("^Live"), new() { Timeout = 15_000 });
        var first = await Seed.PublishAsync(host, app, "inv_tail_1");
        var second = await Seed.PublishAsync(host, app, "inv_tail_2");
        var events = page.GetByRole(AriaRole.Log, new() { Name = "New events" }).GetByRole(AriaRole.Listitem);
        await Assertions.Expect(events).ToHaveCountAsync(2, new() { Timeout = 15_000 });
        await Assertions.Expect(events.First).ToContainTextAsync(second); // newest first
        await Assertions.Expect(events.Last).ToContainTextAsync(first);
        await Assertions.Expect(events.First).ToContainTextAsync(Seed.EventType);
        await PortalHost.ScreenshotForDocsAsync(page, "portal-polling.png");

        await page.GetByRole(AriaRole.Button, new() { Name = "Stop live tail" }).ClickAsync();
        await Assertions.Expect(page.Locator("#tail-state")).ToHaveTextAsync("Stopped.");
    }

    [SkippableFact]
    public async Task Portal_ReadOnlyToken_ReadsLogsAndPollingWithoutWriteControls()
    {
        var page = await host.NewPageAsync();
        var app = await Seed.ApplicationAsync(host, "Peterman", endpoints: [host.Receiver.ToString()]);
        var id = await Seed.DeliveredMessageAsync(host, app, "inv_ro");
        using var admin = host.CreateAdminClient();
        (await admin.PostAsJsonAsync($"/api/v1/app/{app}/destination", new { type = "pollingEndpoint", uid = "catalog-feed" })).EnsureSuccessStatusCode();
        await page.GotoAsync(await Seed.PortalUrlAsync(host, app, readOnly: true));

        await page.GetByRole(AriaRole.Button, new() { Name = "Logs" }).ClickAsync(new() { Timeout = 15_000 });
        await page.GetByRole(AriaRole.Link, new() { Name = id }).ClickAsync(new() { Timeout = 15_000 });
        await page.GetByRole(AriaRole.Table, new() { Name = "Delivery attempts" }).GetByRole(AriaRole.Link).First.ClickAsync(new() { Timeout = 15_000 });
        await Assertions.Expect(page.Locator("#attempt-response")).ToHaveTextAsync("thanks from the receiver", new() { Timeout = 15_000 });
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Resend" })).ToHaveCountAsync(0);

        await page.GetByRole(AriaRole.Button, new() { Name = "Polling endpoints" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "catalog-feed" }).ClickAsync(new() { Timeout = 15_000 });
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "How to consume it" })).ToBeVisibleAsync(Soon);
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Delete polling endpoint" })).ToHaveCountAsync(0);
        await page.GetByRole(AriaRole.Button, new() { Name = "Polling endpoints" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "catalog-feed" })).ToBeVisibleAsync(Soon);
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Add polling endpoint" })).ToHaveCountAsync(0);
    }
}
