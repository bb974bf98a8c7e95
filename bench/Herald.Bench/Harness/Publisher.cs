using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;

namespace Herald.Bench.Harness;

/// <summary>
/// The load generator on Herald's API: <c>POST /api/v1/app/{app}/msg</c> with pre-built bodies over one pooled
/// <see cref="SocketsHttpHandler"/>. Message n goes to application n mod apps and to node n mod nodes. Either closed
/// loop (N clients, each sending its next message when the previous one is answered) or open loop (a fixed schedule
/// of send times, whatever the answers do).
/// </summary>
internal sealed class Publisher : IDisposable
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private readonly HttpClient _http;
    private readonly IReadOnlyList<Uri> _nodes;

    public Publisher(IReadOnlyList<Uri> nodes, string token, int connections)
    {
        _nodes = nodes;
        _http = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            UseCookies = false,
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(10),
        })
        {
            Timeout = TimeSpan.FromSeconds(60),
        };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    /// <summary>Closed loop: <paramref name="clients"/> concurrent clients until <paramref name="duration"/> is over or <paramref name="count"/> messages are sent.</summary>
    public Task<PublishResult> RunClosedLoopAsync(
        IReadOnlyList<string> apps, int clients, TimeSpan? duration, long? count, CancellationToken cancellationToken)
    {
        var deadline = duration is { } d ? BenchClock.After(BenchClock.Now, d) : long.MaxValue;
        return RunClosedLoopAsync(apps, clients, () => BenchClock.Now >= deadline, count, cancellationToken);
    }

    /// <summary>
    /// The unmeasured load before a measurement: a closed loop for at least <paramref name="minimum"/>, then on, in
    /// slices of 2 s, until the servers' JIT has settled (<paramref name="jitCpu"/> grew by less than 5 % of a core
    /// over the last slice) or <paramref name="limit"/> has passed since the start. Settled is false in the second case.
    /// </summary>
    public async Task<(PublishResult Result, bool Settled)> WarmUpAsync(
        IReadOnlyList<string> apps, int clients, TimeSpan minimum, TimeSpan limit, Func<TimeSpan> jitCpu, CancellationToken cancellationToken)
    {
        var slice = TimeSpan.FromSeconds(2);
        var startedAt = BenchClock.Now;
        var done = false;
        var settled = false;
        async Task WatchAsync()
        {
            await Task.Delay(minimum, cancellationToken);
            while (BenchClock.Seconds(startedAt, BenchClock.Now) + slice.TotalSeconds <= Math.Max(limit.TotalSeconds, minimum.TotalSeconds))
            {
                var before = jitCpu();
                await Task.Delay(slice, cancellationToken);
                if ((jitCpu() - before) < slice * 0.05)
                {
                    settled = true;
                    break;
                }
            }

            Volatile.Write(ref done, true);
        }

        var watch = WatchAsync();
        var result = await RunClosedLoopAsync(apps, clients, () => Volatile.Read(ref done), count: null, cancellationToken);
        await watch;
        return (result, settled);
    }

    private async Task<PublishResult> RunClosedLoopAsync(
        IReadOnlyList<string> apps, int clients, Func<bool> over, long? count, CancellationToken cancellationToken)
    {
        var targets = Targets(apps);
        var recorder = new PublishRecorder();
        var startedAt = BenchClock.Now;
        var next = -1L;
        async Task ClientAsync()
        {
            while (true)
            {
                var n = Interlocked.Increment(ref next);
                if (n >= (count ?? long.MaxValue) || over())
                {
                    return;
                }

                await SendAsync(targets, n, recorder, scheduledAt: null, cancellationToken);
            }
        }

        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(ClientAsync, cancellationToken)));
        return recorder.Finish(startedAt, BenchClock.Now);
    }

    /// <summary>
    /// Open loop: message n is sent at start + n / rate whether or not earlier ones were answered, so a slow server
    /// shows up as latency instead of slowing the schedule down (no coordinated omission). When more than
    /// <paramref name="overloadAfter"/> worth of the schedule is unanswered the server cannot keep up: the schedule is
    /// abandoned (latencies would only grow) and the result says so.
    /// </summary>
    public async Task<PublishResult> RunAtRateAsync(
        IReadOnlyList<string> apps, double rate, TimeSpan duration, CancellationToken cancellationToken, TimeSpan? overloadAfter = null)
    {
        var targets = Targets(apps);
        var recorder = new PublishRecorder();
        var total = (long)(rate * duration.TotalSeconds);
        var unansweredLimit = Math.Max(100, (long)(rate * (overloadAfter ?? TimeSpan.FromSeconds(3)).TotalSeconds));
        var ticksPerMessage = Stopwatch.Frequency / rate;
        var sends = new List<Task>((int)total);
        var overloaded = false;
        var startedAt = BenchClock.Now;
        for (var n = 0L; n < total; n++)
        {
            var due = startedAt + (long)(n * ticksPerMessage);
            var wait = BenchClock.Milliseconds(BenchClock.Now, due);
            if (wait >= 1)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(wait), cancellationToken);
            }

            if (n - recorder.Answered > unansweredLimit)
            {
                overloaded = true;
                break;
            }

            sends.Add(SendAsync(targets, n, recorder, due, cancellationToken));
        }

        await Task.WhenAll(sends);
        return recorder.Finish(startedAt, BenchClock.Now) with { Overloaded = overloaded };
    }

    private Uri[][] Targets(IReadOnlyList<string> apps) =>
        [.. apps.Select(app => _nodes.Select(node => new Uri(node, $"/api/v1/app/{Uri.EscapeDataString(app)}/msg")).ToArray())];

    private async Task SendAsync(Uri[][] targets, long n, PublishRecorder recorder, long? scheduledAt, CancellationToken cancellationToken)
    {
        var byNode = targets[n % targets.Length];
        var url = byNode[(n / targets.Length) % byNode.Length];
        var sentAt = BenchClock.Now;
        try
        {
            using var content = new ByteArrayContent(BenchPayload.Message(sentAt, n));
            content.Headers.ContentType = Json;
            using var response = await _http.PostAsync(url, content, cancellationToken);
            if (response.StatusCode == HttpStatusCode.Accepted)
            {
                var answeredAt = BenchClock.Now;
                recorder.Succeeded(
                    BenchClock.Milliseconds(sentAt, answeredAt), scheduledAt is { } due ? BenchClock.Milliseconds(due, sentAt) : null);
                return;
            }

            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            recorder.Failed($"{(int)response.StatusCode} {body[..Math.Min(body.Length, 300)]}");
        }
        catch (HttpRequestException e)
        {
            recorder.Failed(e.Message);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            recorder.Failed($"no answer within {_http.Timeout.TotalSeconds:0} s");
        }
    }

    public void Dispose() => _http.Dispose();
}
