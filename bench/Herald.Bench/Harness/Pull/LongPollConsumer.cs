using Herald.Client;

namespace Herald.Bench.Harness.Pull;

/// <summary>Long-polling: <c>GET …/poller/{sink}?iterator=…&amp;wait=30s</c>, again at once after each answer.</summary>
internal sealed class LongPollConsumer(Uri server, string token, string app, string sink) : PullConsumer("long-poll (wait=30s)", server, token, app, sink)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    protected override async Task ConsumeAsync(CancellationToken cancellationToken)
    {
        string? iterator = null;
        while (true)
        {
            var page = await Client.Poller.PollAsync(App, Sink, new PollOptions { Iterator = iterator, Limit = 250, Wait = Wait }, cancellationToken);
            foreach (var message in page.Data)
            {
                Record(message);
            }

            iterator = page.Iterator;
        }
    }
}
