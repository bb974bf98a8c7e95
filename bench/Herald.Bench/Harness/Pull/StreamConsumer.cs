namespace Herald.Bench.Harness.Pull;

/// <summary>Server-Sent Events: one long request, <c>GET …/poller/{sink}/stream</c>.</summary>
internal sealed class StreamConsumer(Uri server, string token, string app, string sink) : PullConsumer("SSE stream", server, token, app, sink)
{
    protected override async Task ConsumeAsync(CancellationToken cancellationToken)
    {
        await foreach (var message in Client.Poller.StreamAsync(App, Sink, cancellationToken: cancellationToken))
        {
            Record(message);
        }
    }
}
