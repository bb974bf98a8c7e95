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
            "listen", "--app", "listen-e2e", "--forward-to", receiver.Url("/hooks"), "--secret", Secret,
            "--server", server.BaseAddress.ToString(), "--token", HeraldServer.AdminToken,
        ];

        var sent = new List<string>();
        var listener = CliProcess.StartHerald(args);
        try
        {
            await listener.WaitForOutputAsync("Forwarding events of listen-e2e");
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
            "listen", "--app", "listen-failing", "--forward-to", receiver.Url(), "--secret", Secret,
            "--server", server.BaseAddress.ToString(), "--token", HeraldServer.AdminToken,
        ];

        sent.AddRange(await PublishAsync(herald, from: 1, count: 2, app: "listen-failing"));
        await using (var listener = CliProcess.StartHerald(args))
        {
            // The failed one is retried, reported, and the next one still goes through.
            await receiver.WaitForAsync(match: w => w.Id == sent[1]);
            await listener.WaitForOutputAsync($"{sent[0]} not delivered");
            Assert.Equal(4, receiver.Received.Count(w => w.Id == sent[0]));
        }

        failing = false;
        await using var restarted = CliProcess.StartHerald(args);
        await receiver.WaitForAsync(count: 5, match: w => w.Id == sent[0]);
        await receiver.WaitForAsync(count: 2, match: w => w.Id == sent[1]);
    }

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
    private static void AssertSigned(ReceivedWebhook webhook)
    {
        var timestamp = webhook.Headers["webhook-timestamp"];
        var key = Convert.FromBase64String(Secret["whsec_".Length..]);
        var content = Encoding.UTF8.GetBytes($"{webhook.Id}.{timestamp}.").Concat(webhook.Body).ToArray();
        var expected = "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, content));
        Assert.StartsWith("msg_", webhook.Id, StringComparison.Ordinal);
        Assert.Equal(expected, webhook.Headers["webhook-signature"]);
        Assert.Equal("application/json", webhook.Headers["content-type"]);
    }
}
