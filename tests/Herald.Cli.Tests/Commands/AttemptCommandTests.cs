using Herald.Cli.Tests.Infrastructure;
using Herald.Client;
using Herald.Server.Tests.Infrastructure;

namespace Herald.Cli.Tests.Commands;

/// <summary><c>attempts list</c>, <c>resend</c>, <c>endpoints secret</c> and <c>trigger</c> against a running Herald.</summary>
public sealed class AttemptCommandTests(HeraldServer server) : IClassFixture<HeraldServer>
{
    [Fact]
    public async Task AttemptsList_FailedAttempt_ShowsItsError()
    {
        using var herald = server.CreateClient();
        var (endpoint, message, attempt) = await FailedDeliveryAsync(herald, "cli-attempt-error");

        var result = await CliRun.RunAsync(server, "attempts", "list", "--app", "cli-attempt-error", "--endpoint", endpoint);

        Assert.Equal(0, result.ExitCode);
        Assert.False(string.IsNullOrWhiteSpace(attempt.Error));
        var lines = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.EndsWith("ERROR", lines[0].TrimEnd(), StringComparison.Ordinal);
        var row = Assert.Single(lines, line => line.StartsWith(attempt.Id, StringComparison.Ordinal));
        Assert.Contains(message, row, StringComparison.Ordinal);
        Assert.Contains("fail", row, StringComparison.Ordinal);
        Assert.EndsWith(attempt.Error!.Trim(), row.TrimEnd(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resend_ToAnEndpointThatStillFails_ShowsTheFailureAndExits1()
    {
        using var herald = server.CreateClient();
        var (endpoint, message, _) = await FailedDeliveryAsync(herald, "cli-resend-fail");

        var result = await CliRun.RunAsync(server, "resend", "--app", "cli-resend-fail", "--msg", message, "--endpoint", endpoint);

        Assert.Equal(1, result.ExitCode);
        var attempts = await herald.Attempts.ListByMessageAsync("cli-resend-fail", message);
        var resent = attempts.Data[0];
        Assert.Equal(2, attempts.Data.Count);
        Assert.StartsWith($"failed: {message} to {endpoint}, no answer", result.Output, StringComparison.Ordinal);
        Assert.Contains(resent.Id, result.Output, StringComparison.Ordinal);
        Assert.Contains(resent.Error!, result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resend_ToAFixedReceiver_ShowsTheDeliveryAsJson()
    {
        using var herald = server.CreateClient();
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Respond = (_, http) =>
        {
            http.Response.StatusCode = 503;
            return Task.CompletedTask;
        };
        await herald.Applications.CreateAsync(new ApplicationIn { Name = "Resend ok", Uid = "cli-resend-ok" });
        var endpoint = await herald.Endpoints.CreateAsync("cli-resend-ok", new EndpointIn { Url = receiver.Url() });
        var message = await herald.Messages.CreateAsync("cli-resend-ok", new MessageIn { EventType = "order.created", Payload = JsonDocument.Parse("{}").RootElement });
        await receiver.WaitForAsync();
        receiver.Respond = (_, http) =>
        {
            http.Response.StatusCode = 204;
            return Task.CompletedTask;
        };

        var result = await CliRun.RunAsync(server, "resend", "--app", "cli-resend-ok", "--msg", message.Id, "--endpoint", endpoint.Id, "--json");

        Assert.Equal(0, result.ExitCode);
        var attempt = JsonDocument.Parse(result.Output).RootElement;
        Assert.Equal(204, attempt.GetProperty("responseStatusCode").GetInt32());
        Assert.Equal(message.Id, attempt.GetProperty("msgId").GetString());
        Assert.Equal(2, receiver.Received.Count);
    }

    [Fact]
    public async Task EndpointsSecret_PrintsTheEndpointsSigningSecret()
    {
        using var herald = server.CreateClient();
        await herald.Applications.CreateAsync(new ApplicationIn { Name = "Secret", Uid = "cli-secret" });
        var endpoint = await herald.Endpoints.CreateAsync("cli-secret", new EndpointIn { Url = "https://example.com/hooks", Uid = "billing" });
        var expected = (await herald.Endpoints.GetSecretAsync("cli-secret", endpoint.Id)).Key;

        var text = await CliRun.RunAsync(server, "endpoints", "secret", "--app", "cli-secret", "billing");
        var json = await CliRun.RunAsync(server, "endpoints", "secret", "--app", "cli-secret", "billing", "--json");

        Assert.StartsWith("whsec_", expected, StringComparison.Ordinal);
        Assert.Equal(expected, text.Output.Trim());
        Assert.Equal(expected, JsonDocument.Parse(json.Output).RootElement.GetProperty("key").GetString());
    }

    [Fact]
    public async Task Trigger_PublishesTheEventTypesExample_ToTheApplication()
    {
        using var herald = server.CreateClient();
        await herald.EventTypes.UpsertAsync("cli.trigger", new EventTypeUpdate
        {
            Description = "Triggered from the CLI.",
            Schemas = JsonDocument.Parse("""{"1": {"type": "object", "examples": [{"invoiceId": "in_1"}, {"invoiceId": "in_2"}]}}""").RootElement,
        });
        await herald.Applications.CreateAsync(new ApplicationIn { Name = "Trigger", Uid = "cli-trigger" });

        var first = await CliRun.RunAsync(server, "trigger", "cli.trigger", "--app", "cli-trigger", "--json");
        var second = await CliRun.RunAsync(server, "trigger", "cli.trigger", "--app", "cli-trigger", "--example", "1", "--json");

        Assert.Equal(0, first.ExitCode);
        var stored = await herald.Messages.GetAsync("cli-trigger", JsonDocument.Parse(first.Output).RootElement.GetProperty("id").GetString()!);
        Assert.Equal("cli.trigger", stored.EventType);
        Assert.Equal("in_1", stored.Payload.GetProperty("invoiceId").GetString());
        var other = await herald.Messages.GetAsync("cli-trigger", JsonDocument.Parse(second.Output).RootElement.GetProperty("id").GetString()!);
        Assert.Equal("in_2", other.Payload.GetProperty("invoiceId").GetString());
    }

    [Fact]
    public async Task Trigger_WithEndpoint_SendsTheExampleToThatEndpoint()
    {
        using var herald = server.CreateClient();
        await using var receiver = await WebhookReceiver.StartAsync();
        await herald.EventTypes.UpsertAsync("cli.trigger.endpoint", new EventTypeUpdate
        {
            Description = "Triggered to one endpoint.",
            Schemas = JsonDocument.Parse("""{"1": {"examples": [{"orderId": 42}]}}""").RootElement,
        });
        await herald.Applications.CreateAsync(new ApplicationIn { Name = "Trigger one", Uid = "cli-trigger-one" });
        await herald.Endpoints.CreateAsync("cli-trigger-one", new EndpointIn { Url = receiver.Url(), Uid = "local" });

        var result = await CliRun.RunAsync(server, "trigger", "cli.trigger.endpoint", "--app", "cli-trigger-one", "--endpoint", "local");

        Assert.Equal(0, result.ExitCode);
        var webhook = Assert.Single(await receiver.WaitForAsync());
        Assert.Contains(webhook.Id, result.Output, StringComparison.Ordinal);
        Assert.Equal(42, JsonDocument.Parse(webhook.Body).RootElement.GetProperty("orderId").GetInt32());
    }

    [Fact]
    public async Task Trigger_UnknownEventType_Exits1WithTheApiError()
    {
        using var herald = server.CreateClient();
        await herald.Applications.CreateAsync(new ApplicationIn { Name = "Trigger unknown", Uid = "cli-trigger-unknown" });

        var result = await CliRun.RunAsync(server, "trigger", "no.such.type", "--app", "cli-trigger-unknown");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("error: not_found: ", result.Error, StringComparison.Ordinal);
    }

    /// <summary>An endpoint on a loopback port nothing listens on, and a message whose first attempt there failed (connection refused).</summary>
    private static async Task<(string Endpoint, string Message, MessageAttemptOut Attempt)> FailedDeliveryAsync(HeraldClient herald, string app)
    {
        await herald.Applications.CreateAsync(new ApplicationIn { Name = app, Uid = app });
        var endpoint = await herald.Endpoints.CreateAsync(app, new EndpointIn { Url = $"http://127.0.0.1:{HeraldServer.FreePort()}/hooks" });
        var message = await herald.Messages.CreateAsync(app, new MessageIn { EventType = "order.created", Payload = JsonDocument.Parse("""{"order": 1}""").RootElement });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            var attempts = await herald.Attempts.ListByEndpointAsync(app, endpoint.Id, cancellationToken: timeout.Token);
            if (attempts.Data is [var attempt, ..])
            {
                return (endpoint.Id, message.Id, attempt);
            }

            await Task.Delay(100, timeout.Token);
        }
    }
}
