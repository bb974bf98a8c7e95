using System.Security.Cryptography;
using System.Text;
using Herald.Cli.Tests.Infrastructure;
using Herald.Client;
using Herald.Server.Tests.Infrastructure;

namespace Herald.Cli.Tests.Listen;

/// <summary>The real <c>herald listen</c> process against a running Herald and a local receiver, as a developer uses it.</summary>
public sealed class ListenEndToEndTests(HeraldServer server) : IClassFixture<HeraldServer>
{
    private const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    [Fact]
    public async Task Listen_ForwardsSignedMessagesInOrder_AndResumesAfterRestartWithoutLosingAny()
    {
        using var herald = server.CreateClient();
        await herald.EventTypes.UpsertAsync("order.created", new EventTypeUpdate { Description = "An order was created." });
        await herald.Applications.CreateAsync(new ApplicationIn { Name = "Listen", Uid = "listen-e2e" });
        await using var receiver = await WebhookReceiver.StartAsync();
        string[] args =
        [
            "listen", "--app", "listen-e2e", "--forward-to", receiver.Url("/hooks"), "--secret", Secret, "--name", "e2e",
            "--server", server.BaseAddress.ToString(), "--token", HeraldServer.AdminToken,
        ];

        var sent = new List<string>();
        var listener = CliProcess.StartHerald(args);
        try
        {
            await listener.WaitForOutputAsync("Ready!");
            sent.AddRange(await PublishAsync(herald, from: 1, count: 5));
            await receiver.WaitForAsync(5);
            await listener.WaitForOutputAsync(sent[^1]);

            // Killed without warning, as a closed terminal would; what is published meanwhile waits on the server.
            await listener.KillAsync();
            sent.AddRange(await PublishAsync(herald, from: 6, count: 5));
        }
        finally
        {
            await listener.DisposeAsync();
        }

        await using var restarted = CliProcess.StartHerald(args);
        await restarted.WaitForOutputAsync("Ready!");
        sent.AddRange(await PublishAsync(herald, from: 11, count: 2));
        await receiver.WaitForAsync(match: w => w.Id == sent[^1]);

        var received = receiver.Received;
        Assert.All(received, AssertSigned);
        Assert.All(received, w => Assert.Equal("/hooks", w.Path));

        // In order, nothing lost; the only repeat allowed is the message that was in flight when the CLI was killed.
        var ids = received.Select(w => w.Id).ToList();
        var withoutRepeats = ids.Where((id, i) => i == 0 || ids[i - 1] != id).ToList();
        Assert.Equal(sent, withoutRepeats);
        Assert.True(ids.Count - withoutRepeats.Count <= 1, $"Expected at most one repeat, got: {string.Join(", ", ids)}");
        Assert.Equal("""{"order":7}""", received.First(w => w.Id == sent[6]).BodyText.Replace(" ", "", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Listen_ForwardThatKeepsFailing_IsNotCommitted_SoARestartDeliversItAgain()
    {
        using var herald = server.CreateClient();
        await herald.Applications.CreateAsync(new ApplicationIn { Name = "Failing", Uid = "listen-failing" });
        await using var receiver = await WebhookReceiver.StartAsync();
        var failing = true;
        List<string> sent = [];
        receiver.Respond = (webhook, http) =>
        {
            http.Response.StatusCode = failing && webhook.Id == sent[0] ? 500 : 204;
            return Task.CompletedTask;
        };
        string[] args =
        [
            "listen", "--app", "listen-failing", "--forward-to", receiver.Url(), "--secret", Secret, "--name", "failing",
            "--server", server.BaseAddress.ToString(), "--token", HeraldServer.AdminToken,
        ];

        sent.AddRange(await PublishAsync(herald, from: 1, count: 2, app: "listen-failing"));
        await using (var listener = CliProcess.StartHerald([.. args, "--from-start"]))
        {
            // The failed one is retried, reported, and the next one still goes through.
            await receiver.WaitForAsync(match: w => w.Id == sent[1]);
            await listener.WaitForOutputAsync($"{sent[0]} not delivered");
            Assert.Equal(4, receiver.Received.Count(w => w.Id == sent[0]));
        }

        // Without --from-start: the kept cursor is still before the failed message.
        failing = false;
        await using var restarted = CliProcess.StartHerald(args);
        await receiver.WaitForAsync(count: 5, match: w => w.Id == sent[0]);
        await receiver.WaitForAsync(count: 2, match: w => w.Id == sent[1]);
    }

    [Fact]
    public async Task Listen_ByDefault_PrintsReadyWithItsSecretFirst_AndForwardsOnlyNewEvents_SignedWithIt()
    {
        using var herald = server.CreateClient();
        await herald.Applications.CreateAsync(new ApplicationIn { Name = "New only", Uid = "listen-new" });
        await using var receiver = await WebhookReceiver.StartAsync();
        var old = await PublishAsync(herald, from: 1, count: 2, app: "listen-new");

        await using var listener = CliProcess.StartHerald(Args("listen-new", receiver.Url()));
        await listener.WaitForOutputAsync("Ready!");
        var fresh = await PublishAsync(herald, from: 3, count: 1, app: "listen-new");
        await receiver.WaitForAsync(match: w => w.Id == fresh[0]);
        await listener.WaitForOutputAsync($"{fresh[0]}  -> 200");

        var ready = listener.Lines[0];
        Assert.StartsWith("Ready! Your webhook signing secret is whsec_", ready, StringComparison.Ordinal);
        var secret = ready.Split(' ').Single(word => word.StartsWith("whsec_", StringComparison.Ordinal));
        var webhook = Assert.Single(receiver.Received);
        Assert.Equal(fresh[0], webhook.Id);
        AssertSigned(webhook, secret);
        Assert.DoesNotContain(old[0], listener.Output, StringComparison.Ordinal);
        Assert.Matches(@"order\.created  msg_\w+  -> 200  \d+ ms", listener.Output);
    }

    [Theory]
    [InlineData("--from-start")]
    [InlineData("--since", "1h")]
    public async Task Listen_FromStartOrSince_ReplaysEarlierEvents(params string[] replay)
    {
        using var herald = server.CreateClient();
        var app = "listen-replay" + replay.Length;
        await herald.Applications.CreateAsync(new ApplicationIn { Name = "Replay", Uid = app });
        await using var receiver = await WebhookReceiver.StartAsync();
        var old = await PublishAsync(herald, from: 1, count: 2, app: app);

        await using var listener = CliProcess.StartHerald([.. Args(app, receiver.Url()), "--secret", Secret, .. replay]);
        await receiver.WaitForAsync(count: 2);

        Assert.Equal(old, receiver.Received.Select(w => w.Id));
        Assert.All(receiver.Received, AssertSigned);
    }

    [Fact]
    public async Task Listen_OnCtrlC_RemovesItsTemporaryPollingEndpoint()
    {
        using var herald = server.CreateClient();
        await herald.Applications.CreateAsync(new ApplicationIn { Name = "Temporary", Uid = "listen-temporary" });
        await using var receiver = await WebhookReceiver.StartAsync();

        await using var listener = CliProcess.StartHerald(Args("listen-temporary", receiver.Url()));
        await listener.WaitForOutputAsync("Ready!");
        var during = await herald.PollingEndpoints.ListAsync("listen-temporary");
        await listener.InterruptAsync();
        var after = await herald.PollingEndpoints.ListAsync("listen-temporary");

        var temporary = Assert.Single(during.Data);
        Assert.StartsWith("herald-cli-listen-", temporary.Uid, StringComparison.Ordinal);
        Assert.Contains(temporary.Uid!, listener.Lines[1], StringComparison.Ordinal);
        Assert.Empty(after.Data);
        Assert.Contains($"removed the temporary polling endpoint {temporary.Uid}", listener.Output, StringComparison.Ordinal);
        Assert.Equal(0, listener.ExitCode);
    }

    [Fact]
    public async Task Listen_WithName_KeepsTheEndpointAndItsSecret_AndJsonPrintsOneObjectPerLine()
    {
        using var herald = server.CreateClient();
        await herald.Applications.CreateAsync(new ApplicationIn { Name = "Named", Uid = "listen-named" });
        await using var receiver = await WebhookReceiver.StartAsync();
        string[] args = [.. Args("listen-named", receiver.Url()), "--name", "my-laptop", "--json"];

        string secret;
        await using (var first = CliProcess.StartHerald(args))
        {
            await first.WaitForOutputAsync("\"type\":\"ready\"");
            secret = JsonDocument.Parse(first.Lines[0]).RootElement.GetProperty("secret").GetString()!;
            await first.InterruptAsync();
        }

        await using var second = CliProcess.StartHerald(args);
        await second.WaitForOutputAsync("\"type\":\"ready\"");
        var sent = await PublishAsync(herald, from: 1, count: 1, app: "listen-named");
        var webhook = Assert.Single(await receiver.WaitForAsync());
        await second.WaitForOutputAsync("\"type\":\"forward\"");

        Assert.Equal("my-laptop", (await herald.PollingEndpoints.GetAsync("listen-named", "my-laptop")).Uid);
        var ready = JsonDocument.Parse(second.Lines[0]).RootElement;
        Assert.Equal(secret, ready.GetProperty("secret").GetString());
        Assert.False(ready.GetProperty("temporary").GetBoolean());
        AssertSigned(webhook, secret);
        var forward = JsonDocument.Parse(second.Lines.Single(line => line.Contains("\"forward\"", StringComparison.Ordinal))).RootElement;
        Assert.Equal(sent[0], forward.GetProperty("msgId").GetString());
        Assert.Equal(200, forward.GetProperty("status").GetInt32());
        Assert.True(forward.GetProperty("latencyMs").GetInt64() >= 0);
    }

    private string[] Args(string app, string forwardTo) =>
        ["listen", "--app", app, "--forward-to", forwardTo, "--server", server.BaseAddress.ToString(), "--token", HeraldServer.AdminToken];

    private static async Task<List<string>> PublishAsync(HeraldClient herald, int from, int count, string app = "listen-e2e")
    {
        var ids = new List<string>();
        for (var order = from; order < from + count; order++)
        {
            var message = await herald.Messages.CreateAsync(app, new MessageIn
            {
                EventType = "order.created",
                Payload = JsonDocument.Parse($$"""{"order": {{order}}}""").RootElement,
            });
            ids.Add(message.Id);
        }

        return ids;
    }

    // Verified independently of the CLI's own code, following docs/DELIVERY.md.
    private static void AssertSigned(ReceivedWebhook webhook) => AssertSigned(webhook, Secret);

    private static void AssertSigned(ReceivedWebhook webhook, string secret)
    {
        var timestamp = webhook.Headers["webhook-timestamp"];
        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        var content = Encoding.UTF8.GetBytes($"{webhook.Id}.{timestamp}.").Concat(webhook.Body).ToArray();
        var expected = "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, content));
        Assert.StartsWith("msg_", webhook.Id, StringComparison.Ordinal);
        Assert.Equal(expected, webhook.Headers["webhook-signature"]);
        Assert.Equal("application/json", webhook.Headers["content-type"]);
    }
}
