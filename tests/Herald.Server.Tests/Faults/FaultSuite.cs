using Herald.Server.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Herald.Server.Tests.Faults;

/// <summary>
/// The fault-injection suite (docs/RELIABILITY.md): real Herald processes, real receivers, real faults. Its scenarios
/// run one at a time and after the rest of the tests (no parallel neighbours), since each loads the machine on purpose.
/// Run them alone with <c>dotnet test --filter Category=Faults</c>.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FaultSuite
{
    public const string Name = "Faults";

    /// <summary>Creates the application and one endpoint per receiver path; returns path → endpoint id.</summary>
    public static async Task<Dictionary<string, string>> CreateEndpointsAsync(
        HttpClient client, string appId, FaultReceiver receiver, IEnumerable<string> paths, int? timeoutSeconds = null)
    {
        await client.CreateAppAsync(appId, appId);
        var endpoints = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var path in paths)
        {
            var extra = timeoutSeconds is { } seconds ? new JsonObject { ["timeoutSeconds"] = seconds } : null;
            endpoints[path] = (string)(await client.CreateEndpointAsync(appId, receiver.Url(path), extra))["id"]!;
        }

        return endpoints;
    }

    /// <summary>Waits (polling every 20 ms) until <paramref name="condition"/> holds; fails with <paramref name="what"/> after <paramref name="timeout"/>.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (!condition())
        {
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(20), cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Not reached within {timeout.TotalSeconds:0} s: {what}");
            }
        }
    }

    /// <summary>Asks /api/v1/health; returns the status code (0 when the process does not answer).</summary>
    public static async Task<int> HealthAsync(HttpClient client)
    {
        try
        {
            using var response = await client.GetAsync("/api/v1/health");
            return (int)response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return 0;
        }
    }

    /// <summary>Waits until health answers 200; returns how long that took, or null when it did not within <paramref name="timeout"/>.</summary>
    public static async Task<TimeSpan?> WaitUntilHealthyAsync(HttpClient client, TimeSpan timeout)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (await HealthAsync(client) == 200)
            {
                return clock.Elapsed;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }

        return null;
    }

    /// <summary>Every publish refused during a storage outage was answered 503 or 507 with a Retry-After — never 500.</summary>
    public static void ExpectOutageAnswers(DeliveryChecker checker, LoadRun load, string when)
    {
        foreach (var refused in load.Refused.Where(p => p.StatusCode is not (503 or 507)).Take(5))
        {
            checker.Expect(false, $"publish {refused.Number} {when} was answered {refused.StatusCode} (must be 503 or 507): {refused.Detail}");
        }

        foreach (var refused in load.Refused.Where(p => p.StatusCode is 503 or 507 && p.RetryAfter is null).Take(5))
        {
            checker.Expect(false, $"publish {refused.Number} {when} was answered {refused.StatusCode} without Retry-After");
        }
    }

    /// <summary>Prints the run's figures in one greppable line (docs/RELIABILITY.md quotes them).</summary>
    public static void Report(ITestOutputHelper output, string scenario, LoadRun load, FaultFigures figures, string extra = "")
    {
        output.WriteLine(load.ToString());
        output.WriteLine($"FAULT-FIGURES {scenario}: {figures} {extra}".TrimEnd());
    }
}
