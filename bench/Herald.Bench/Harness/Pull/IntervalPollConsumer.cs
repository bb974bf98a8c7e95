using Herald.Client;

namespace Herald.Bench.Harness.Pull;

/// <summary>Plain polling: every interval, read pages until <c>done</c>, then sleep until the next tick.</summary>
internal sealed class IntervalPollConsumer(Uri server, string token, string app, string sink, TimeSpan interval)
    : PullConsumer($"poll every {interval.TotalSeconds:0} s", server, token, app, sink)
{
    protected override async Task ConsumeAsync(CancellationToken cancellationToken)
    {
        string? iterator = null;
        using var timer = new PeriodicTimer(interval);
        do
        {
            PollerPage page;
            do
            {
                page = await Client.Poller.PollAsync(App, Sink, new PollOptions { Iterator = iterator, Limit = 250 }, cancellationToken);
                foreach (var message in page.Data)
                {
                    Record(message);
                }

                iterator = page.Iterator;
            }
            while (!page.Done);
        }
        while (await timer.WaitForNextTickAsync(cancellationToken));
    }
}
