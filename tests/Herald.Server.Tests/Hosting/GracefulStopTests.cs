using System.Globalization;
using Herald.Server.Tests.Delivery;
using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.Hosting;

/// <summary>
/// SIGTERM to a real Herald process while a receiver is slow: the server keeps accepting publishes during the drain
/// (stored, not started), lets the send under way finish (or cuts it off after the drain timeout), logs no error, and
/// exits with 0; what it accepted is delivered after the restart.
/// </summary>
public sealed class GracefulStopTests : IAsyncLifetime
{
    private const string Token = "herald_sk_graceful_stop_suite_token_0123456789";
    private readonly string _data = Directory.CreateTempSubdirectory("herald-stop").FullName;
    private readonly TaskCompletionSource _answer = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync()
    {
        _receiver = await WebhookReceiver.StartAsync();
        _receiver.Respond = async (_, context) =>
        {
            await _answer.Task; // Slow: answers when the test says so.
            context.Response.StatusCode = 200;
        };
    }

    public async Task DisposeAsync()
    {
        _answer.TrySetResult();
        await _receiver.DisposeAsync();
        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (IOException)
        {
            // Left in the temp folder: harmless.
        }
    }

    [Fact]
    public async Task SigTerm_WhileASendIsUnderWay_AcceptsPublishesDuringTheDrain_FinishesTheSend_AndExitsCleanly()
    {
        var (first, sent) = await StartAndSendOneAsync(drainTimeout: "00:00:30");
        string published;
        try
        {
            await TerminateAsync(first);
            await WaitForOutputAsync(first, "Stopping: draining 1 attempt(s)");
            using (var client = first.CreateClient(Token))
            {
                published = (string)(await client.PublishAsync("stop"))["id"]!; // 202 while draining
            }

            _answer.SetResult(); // The send under way finishes within the drain and is recorded.
            Assert.Equal(0, await first.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            Assert.DoesNotContain(_receiver.Received, w => w.Id == published); // handed back, not started
            AssertNoErrors(first.Output);
        }
        finally
        {
            await first.DisposeAsync();
        }

        await using var second = await HeraldProcess.StartAsync(_data, Environment("00:00:10"));
        await _receiver.WaitForAsync(1, w => w.Id == published);
        using var again = second.CreateClient(Token);
        Assert.Equal(0, (int)(await again.GetDataAsync($"/api/v1/app/stop/msg/{sent}/endpoint"))[0]!["status"]!);
        Assert.Single(await again.GetDataAsync($"/api/v1/app/stop/attempt/msg/{sent}"));
    }

    [Fact]
    public async Task SigTerm_WhenASendOutlastsTheDrainTimeout_CutsItOffWithoutErrors_AndItIsSentAfterRestart()
    {
        var (first, sent) = await StartAndSendOneAsync(drainTimeout: "00:00:01");
        try
        {
            await TerminateAsync(first);
            Assert.Equal(0, await first.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            Assert.Contains("1 send(s) still running were cut off", first.Output, StringComparison.Ordinal);
            AssertNoErrors(first.Output);
        }
        finally
        {
            await first.DisposeAsync();
        }

        _answer.SetResult();
        await using var second = await HeraldProcess.StartAsync(_data, Environment("00:00:10"));
        await _receiver.WaitForAsync(2, w => w.Id == sent); // at least once: the cut-off send is made again
        using var again = second.CreateClient(Token);
        await DeliveryTestKit.EventuallyAsync(
            async () => (int)(await again.GetDataAsync($"/api/v1/app/stop/msg/{sent}/endpoint"))[0]!["status"]! == 0, "the delivery is recorded as done");
    }

    private static Dictionary<string, string> Environment(string drainTimeout) => new()
    {
        ["Herald__Auth__AdminToken"] = Token,
        ["Herald__Delivery__AllowedNetworks__0"] = "127.0.0.0/8",
        ["Herald__Delivery__DrainTimeout"] = drainTimeout,
    };

    private async Task<(HeraldProcess Herald, string MessageId)> StartAndSendOneAsync(string drainTimeout)
    {
        var herald = await HeraldProcess.StartAsync(_data, Environment(drainTimeout));
        using var client = herald.CreateClient(Token);
        await client.CreateAppAsync("Stop", "stop");
        await client.CreateEndpointAsync("stop", _receiver.Url("/slow"));
        var sent = (string)(await client.PublishAsync("stop"))["id"]!;
        await _receiver.WaitForAsync(1, w => w.Id == sent); // the send is under way; the receiver holds its answer
        return (herald, sent);
    }

    private static async Task TerminateAsync(HeraldProcess herald)
    {
        var (exitCode, output) = await ExternalCommand.RunAsync(
            "/bin/kill", ["-TERM", herald.ProcessId.ToString(CultureInfo.InvariantCulture)], Path.GetTempPath(),
            new Dictionary<string, string>(), TimeSpan.FromSeconds(10));
        Assert.True(exitCode == 0, output);
    }

    private static async Task WaitForOutputAsync(HeraldProcess herald, string text)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!herald.Output.Contains(text, StringComparison.Ordinal))
        {
            Assert.False(herald.HasExited, $"Herald exited before logging '{text}':\n{herald.Output}");
            await Task.Delay(TimeSpan.FromMilliseconds(20), deadline.Token);
        }
    }

    /// <summary>The console logger starts error and critical entries with <c>fail:</c> and <c>crit:</c>.</summary>
    private static void AssertNoErrors(string output)
    {
        Assert.DoesNotContain("fail: ", output, StringComparison.Ordinal);
        Assert.DoesNotContain("crit: ", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", output, StringComparison.Ordinal);
    }
}
