using System.Globalization;
using Herald.Server.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Herald.Server.Tests.Faults;

/// <summary>
/// Issue 13's memory finding, as a test: a real Herald holding 300 messages of 1 MB, read at once by 10 slow readers of
/// poller pages, 10 slow readers of message pages with content and 20 Server-Sent-Events streams replaying the whole
/// history. Before pages had a byte budget, each poller or message page held 250 MB and each stream 50 MB, and the
/// process grew by gigabytes; now its resident memory must stay within a bound of where it started, and health must
/// keep answering.
/// </summary>
[Collection(FaultSuite.Name)]
[Trait("Category", "Faults")]
public sealed class SlowReaderMemoryFaultTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Messages = 300;
    private const int PayloadBytes = 1_000_000;
    private const int PageReaders = 10;
    private const int Streams = 20;
    private const long AllowedGrowthBytes = 300L * 1024 * 1024;
    private static readonly TimeSpan ReadingTime = TimeSpan.FromSeconds(20);

    private readonly string _data = Directory.CreateTempSubdirectory("herald-fault-memory").FullName;
    private FaultNode _node = null!;

    public Task InitializeAsync()
    {
        _node = new FaultNode(_data, FaultNode.BaseEnvironment(new Dictionary<string, string>
        {
            ["Herald__Api__MaxRequestBodyBytes"] = (2 * 1024 * 1024).ToString(CultureInfo.InvariantCulture),
        }));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    [Fact]
    public async Task SlowReadersOfBigPagesAndStreams_KeepResidentMemoryBounded_AndHealthAnswers()
    {
        await _node.StartAsync();
        var client = _node.Client;
        client.Timeout = TimeSpan.FromSeconds(60);
        await client.CreateAppAsync("mem", "mem");
        await (await client.PostAsJsonAsync("/api/v1/app/mem/destination", new JsonObject { ["type"] = "pollingEndpoint", ["uid"] = "pull" }))
            .ReadObjectAsync(HttpStatusCode.Created);
        await PublishAsync(client);

        var baseline = ResidentBytes();
        var peak = baseline;
        using var stop = new CancellationTokenSource();
        using var reading = new HttpClient { BaseAddress = _node.Process.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
        reading.DefaultRequestHeaders.Authorization = new("Bearer", FaultNode.Token);
        var readers = new List<Task<long>>();
        for (var i = 0; i < PageReaders; i++)
        {
            readers.Add(ReadSlowlyAsync(reading, "/api/v1/app/mem/poller/pull?limit=250", stop.Token));
            readers.Add(ReadSlowlyAsync(reading, "/api/v1/app/mem/msg?limit=250&with_content=true", stop.Token));
        }

        for (var i = 0; i < Streams; i++)
        {
            readers.Add(ReadSlowlyAsync(reading, "/api/v1/app/mem/poller/pull/stream", stop.Token));
        }

        var health = new List<int>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed < ReadingTime)
        {
            health.Add(await FaultSuite.HealthAsync(client));
            for (var i = 0; i < 5; i++)
            {
                peak = Math.Max(peak, ResidentBytes());
                await Task.Delay(TimeSpan.FromMilliseconds(200));
            }
        }

        await stop.CancelAsync();
        var read = (await Task.WhenAll(readers)).Sum();
        output.WriteLine($"MEMORY-FIGURES slow-readers: baseline={baseline >> 20} MiB peak={peak >> 20} MiB growth={(peak - baseline) >> 20} MiB " +
            $"read={read >> 20} MiB health={string.Join(',', health)}");

        Assert.True(read > 0, "The readers read nothing: the test measured an idle server.");
        Assert.All(health, status => Assert.Equal(200, status));
        Assert.True(peak - baseline < AllowedGrowthBytes,
            $"Resident memory grew by {(peak - baseline) >> 20} MiB under slow readers (from {baseline >> 20} MiB to {peak >> 20} MiB); the bound is {AllowedGrowthBytes >> 20} MiB.");
        Assert.Empty(_node.ErrorLines());
    }

    private static async Task PublishAsync(HttpClient client)
    {
        // Four publishers at a time; each payload is one string of about 1 MB.
        var blob = new string('x', PayloadBytes);
        var next = 0;
        await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) <= Messages)
            {
                await client.PublishAsync("mem", "big.event", new JsonObject { ["payload"] = new JsonObject { ["blob"] = blob } });
            }
        }));
    }

    /// <summary>
    /// Reads <paramref name="path"/> 4 KB at a time with a pause between reads, as a client on a slow link would, and
    /// again from the start when the answer ends; returns the bytes read when <paramref name="stop"/> fires.
    /// </summary>
    private static async Task<long> ReadSlowlyAsync(HttpClient client, string path, CancellationToken stop)
    {
        var buffer = new byte[4096];
        long total = 0;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                using var response = await client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, stop);
                response.EnsureSuccessStatusCode();
                await using var body = await response.Content.ReadAsStreamAsync(stop);
                int n;
                while ((n = await body.ReadAsync(buffer, stop)) > 0)
                {
                    total += n;
                    await Task.Delay(TimeSpan.FromMilliseconds(5), stop);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The reading time is over.
        }

        return total;
    }

    /// <summary>The Herald process' resident set (VmRSS of /proc/{pid}/status), in bytes.</summary>
    private long ResidentBytes()
    {
        var line = File.ReadLines($"/proc/{_node.Process.ProcessId}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }
}
