using System.Collections.Concurrent;
using Herald.Client;

namespace Herald.Bench.Harness.Pull;

/// <summary>
/// A consumer of a polling endpoint, with the typed client a real consumer would use (Herald.Client), on an HTTP client
/// of its own that counts requests. Records each distinct message once, with its publish→receive latency.
/// </summary>
internal abstract class PullConsumer : IDisposable
{
    private readonly RequestCounter _counter;
    private readonly HttpClient _http;
    private readonly ConcurrentDictionary<long, byte> _seen = new();
    private readonly List<double> _latencies = [];

    protected PullConsumer(string mode, Uri server, string token, string app, string sink)
    {
        Mode = mode;
        App = app;
        Sink = sink;
        _counter = new RequestCounter(new SocketsHttpHandler { UseCookies = false, UseProxy = false });
        _http = new HttpClient(_counter) { Timeout = TimeSpan.FromSeconds(90) };
        Client = new HeraldClient(_http, new HeraldClientOptions { ServerUrl = server, Token = token });
    }

    public string Mode { get; }

    public long Requests => _counter.Count;

    public long Received => _seen.Count;

    protected HeraldClient Client { get; }

    protected string App { get; }

    protected string Sink { get; }

    /// <summary>Consumes until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await ConsumeAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Done.
        }
    }

    protected abstract Task ConsumeAsync(CancellationToken cancellationToken);

    protected void Record(PolledMessage message)
    {
        var receivedAt = BenchClock.Now;
        if (BenchPayload.TryRead(message.Payload, out var publishedAt, out var seq) && _seen.TryAdd(seq, 0))
        {
            lock (_latencies)
            {
                _latencies.Add(BenchClock.Milliseconds(publishedAt, receivedAt));
            }
        }
    }

    public LatencySummary Latency()
    {
        lock (_latencies)
        {
            return LatencySummary.From(_latencies);
        }
    }

    public void Dispose()
    {
        Client.Dispose();
        _http.Dispose();
    }
}
