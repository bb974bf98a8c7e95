using Herald.Client.Tests.Infrastructure;
using Herald.Server.Tests.Infrastructure;

namespace Herald.Client.Tests.Readme;

/// <summary>The quick start of src/Herald.Client/README.md, run here as written so it cannot rot.</summary>
public sealed class ReadmeQuickStartTests : IDisposable
{
    private readonly HeraldApplication _server = new();

    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task QuickStart_RunsAsWritten()
    {
        using var herald = _server.CreateHeraldClient();

        #region quick-start
        // An event type, an application, and a webhook endpoint that receives the application's invoices.
        await herald.EventTypes.CreateAsync(new EventTypeIn { Name = "invoice.paid", Description = "An invoice was paid." });
        await herald.Applications.GetOrCreateAsync(new ApplicationIn { Name = "Acme", Uid = "acme" });
        await herald.Endpoints.CreateAsync("acme", new EndpointIn { Url = "https://acme.example/webhooks", EventTypes = ["invoice.paid"] });

        // Pull instead of push: a polling endpoint, for consumers without a public URL.
        await herald.PollingEndpoints.CreateAsync("acme", new PollingEndpointIn { Uid = "worker", EventTypes = ["invoice.paid"] });

        // Publish: the payload is any JSON object. Retrying with the same idempotency key cannot publish it twice.
        var message = await herald.Messages.CreateAsync("acme", new MessageIn
        {
            EventType = "invoice.paid",
            EventId = "inv_1001_paid",
            Payload = JsonDocument.Parse("""{"invoice": "inv_1001", "amount": 4200}""").RootElement,
        });

        // Poll: a consumer reads from the cursor the server keeps for it, and commits what it processed.
        var page = await herald.Poller.ConsumerPollAsync("acme", "worker", "billing", new PollOptions { Wait = TimeSpan.FromSeconds(20) });
        foreach (var polled in page.Data)
        {
            Console.WriteLine($"{polled.EventType} {polled.Payload}");
        }

        await herald.Poller.CommitAsync("acme", "worker", "billing", page.Iterator);

        // Or stream: every message as it is published (Server-Sent Events; reconnects by itself with Last-Event-ID).
        await foreach (var polled in herald.Poller.StreamAsync("acme", "worker"))
        {
            Console.WriteLine($"{polled.Id} {polled.EventType}");
            break; // A real consumer keeps reading, and saves polled.StreamId to resume from after a restart.
        }
        #endregion

        Assert.Equal("inv_1001_paid", (await herald.Messages.GetAsync("acme", message.Id)).EventId);
        Assert.Equal([message.Id], page.Data.Select(m => m.Id));
        Assert.Empty((await herald.Poller.ConsumerPollAsync("acme", "worker", "billing")).Data);
        Assert.Single((await herald.Endpoints.ListAsync("acme")).Data);
    }

    [Fact]
    public async Task Readme_ShowsTheQuickStartExactlyAsThisTestRunsIt()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Herald.slnx")))
        {
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("Herald.slnx not found above the test binaries.");
        }

        var test = await File.ReadAllTextAsync(Path.Combine(root, "tests", "Herald.Client.Tests", "Readme", "ReadmeQuickStartTests.cs"));
        var readme = await File.ReadAllTextAsync(Path.Combine(root, "src", "Herald.Client", "README.md"));
        var region = Between(test, "#region quick-start\n", "        #endregion");
        var quickStart = Between(readme, "<!-- quickstart:start -->", "<!-- quickstart:end -->");

        Assert.Contains(Normalize(region), Normalize(quickStart), StringComparison.Ordinal);
    }

    private static string Between(string text, string start, string end)
    {
        var from = text.IndexOf(start, StringComparison.Ordinal);
        var to = text.IndexOf(end, from + 1, StringComparison.Ordinal);
        Assert.True(from >= 0 && to > from, $"Markers {start} … {end} not found.");
        return text[(from + start.Length)..to];
    }

    /// <summary>The same code whatever its indentation and line endings.</summary>
    private static string Normalize(string code) =>
        string.Join('\n', code.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0));
}
