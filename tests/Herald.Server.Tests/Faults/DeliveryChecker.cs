using System.Diagnostics;
using System.Globalization;
using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.Faults;

/// <summary>The numbers of one fault run, printed by every scenario and quoted in docs/RELIABILITY.md.</summary>
public sealed record FaultFigures(
    int Publishes, int Accepted, int Refused, int Unknown, int UnknownStored, int Requests, int Attempts,
    int UnloggedTries, int Duplicates, int MaxTriesOfOneMessage, TimeSpan Drain)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"publishes={Publishes} accepted={Accepted} refused={Refused} unknown={Unknown} (stored {UnknownStored}) "
        + $"receiver-requests={Requests} attempts={Attempts} unlogged-tries={UnloggedTries} duplicates={Duplicates} "
        + $"max-tries={MaxTriesOfOneMessage} drain={Drain.TotalSeconds:0.0}s");
}

/// <summary>
/// The check after every fault run, through the public API only: (1) every message answered 202 exists; (2) no
/// message exists that was not answered 202 (a refused publish was not stored; a lost answer may or may not have been);
/// (3) every stored message reached every endpoint and its delivery ended as expected; (4) the attempt log agrees with
/// what the receiver saw, request for request; (5) optionally, retries kept to the schedule. All problems are collected
/// and reported together, so one run shows everything that went wrong.
/// </summary>
public sealed class DeliveryChecker(HttpClient client, string appId, IReadOnlyDictionary<string, string> endpointsByPath, FaultReceiver receiver)
{
    private readonly List<(string Kind, string Text)> _problems = [];

    public async Task<FaultFigures> CheckAsync(LoadRun load, FaultExpectations expected)
    {
        var drain = await WaitForDrainAsync(expected.DrainTimeout);
        var byEventId = load.All.ToDictionary(p => p.EventId, StringComparer.Ordinal);

        // (1) and (2): the application's messages against what the publisher was told.
        var stored = new Dictionary<string, Publish>(StringComparer.Ordinal); // message id → its publish
        var storedEventIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var message in await ListAllAsync($"/api/v1/app/{appId}/msg?with_content=false"))
        {
            var id = (string)message["id"]!;
            var eventId = (string?)message["eventId"];
            if (eventId is null || !byEventId.TryGetValue(eventId, out var publish))
            {
                Problem("never published", $"message {id} (eventId {eventId ?? "none"}) exists but was never published");
                continue;
            }

            if (!storedEventIds.Add(eventId))
            {
                Problem("stored twice", $"publish {publish.Number} ({eventId}) is stored twice");
            }

            if (publish.Outcome == PublishOutcome.Refused)
            {
                Problem("refused but stored", $"publish {publish.Number} was refused ({publish.StatusCode} {publish.Detail}) but is stored as {id}");
            }
            else if (publish.Outcome == PublishOutcome.Accepted && publish.MessageId != id)
            {
                Problem("other id", $"publish {publish.Number} was answered 202 with {publish.MessageId} but is stored as {id}");
            }

            stored[id] = publish;
        }

        foreach (var lost in load.Accepted.Where(p => !stored.ContainsKey(p.MessageId!)))
        {
            Problem("LOST", $"publish {lost.Number} was answered 202 with {lost.MessageId}, which does not exist");
        }

        // (3) and (4), per endpoint.
        var requests = receiver.Received.GroupBy(r => (r.Path, r.WebhookId)).ToDictionary(g => g.Key, g => g.OrderBy(r => r.Try).ToList());
        int attemptsTotal = 0, unlogged = 0, duplicates = 0;
        foreach (var (path, endpointId) in endpointsByPath)
        {
            var states = (await ListAllAsync($"/api/v1/app/{appId}/endpoint/{endpointId}/msg?with_content=false"))
                .ToDictionary(m => (string)m["id"]!, m => (string)m["statusText"]!, StringComparer.Ordinal);
            var attempts = (await ListAllAsync($"/api/v1/app/{appId}/attempt/endpoint/{endpointId}?with_content=false"))
                .GroupBy(a => (string)a["msgId"]!).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
            attemptsTotal += attempts.Values.Sum(a => a.Count);
            foreach (var msgId in attempts.Keys.Where(id => !stored.ContainsKey(id)))
            {
                Problem("attempt of no message", $"{path}: attempts logged for {msgId}, which is not a stored message");
            }

            foreach (var (msgId, publish) in stored)
            {
                var end = expected.EndStatus(path, publish.Number);
                var seen = requests.GetValueOrDefault((path, msgId)) ?? [];
                var logged = attempts.GetValueOrDefault(msgId) ?? [];
                var state = states.GetValueOrDefault(msgId);
                if (state != end)
                {
                    Problem("wrong end state", $"{path}: publish {publish.Number} ({msgId}) ended '{state ?? "without a delivery"}', expected '{end}' "
                        + $"(receiver saw {seen.Count} request(s), {logged.Count} attempt(s) logged)");
                }

                if (end == "success" && !seen.Any(r => r.Succeeded))
                {
                    Problem("never delivered", $"{path}: publish {publish.Number} ({msgId}) never reached the receiver with a success");
                }

                duplicates += Math.Max(0, seen.Count(r => r.Succeeded) - 1);
                CompareLog(path, publish, end, seen, logged, expected, ref unlogged);
                if (expected.Timing is { } timing)
                {
                    CheckTiming(path, publish, seen, timing);
                }
            }
        }

        if (expected.MaxUnloggedTries is { } allowed && unlogged > allowed)
        {
            Problem("unlogged tries", $"{unlogged} tries reached the receiver without an attempt row; at most {allowed} may (tries in flight when the fault struck)");
        }

        var figures = new FaultFigures(load.All.Count, load.Accepted.Count, load.Refused.Count, load.Unknown.Count,
            stored.Values.Count(p => p.Outcome == PublishOutcome.Unknown), receiver.Count, attemptsTotal, unlogged, duplicates,
            requests.Count == 0 ? 0 : requests.Values.Max(r => r.Count), drain);
        return figures;
    }

    /// <summary>Everything that was wrong, one line each; empty when the run kept every promise.</summary>
    public IReadOnlyList<string> Problems => [.. _problems.Select(p => p.Text)];

    /// <summary>Adds a scenario's own promise to the problems to report, so one failure does not hide the others.</summary>
    public void Expect(bool kept, string problem)
    {
        if (!kept)
        {
            Problem("scenario", problem);
        }
    }

    /// <summary>Fails the test with every kind of problem found: how many, and a few examples of each.</summary>
    public void AssertNoProblems(string context)
    {
        if (_problems.Count > 0)
        {
            var byKind = _problems.GroupBy(p => p.Kind).Select(g => $"[{g.Key}] {g.Count()} problem(s), e.g.:\n    " + string.Join("\n    ", g.Take(6).Select(p => p.Text)));
            Assert.Fail($"{_problems.Count} problem(s) after the run ({context}):\n  " + string.Join("\n  ", byKind));
        }
    }

    private void CompareLog(string path, Publish publish, string end, List<ReceivedRequest> seen, List<JsonObject> logged, FaultExpectations expected, ref int unlogged)
    {
        var loggedSuccesses = logged.Count(a => (string?)a["statusText"] == "success");
        var seenSuccesses = seen.Count(r => r.Succeeded);
        var where = $"{path}: publish {publish.Number}";
        if (expected.MaxAttempts is { } max && seen.Count > max)
        {
            Problem("too many tries", $"{where}: the receiver saw {seen.Count} tries, more than the {max} the schedule allows");
        }

        if (expected.MaxAttempts is { } all && end == "fail" && seen.Count != all)
        {
            Problem("wrong number of tries", $"{where}: failed after {seen.Count} tries; the schedule gives {all}");
        }

        if (expected.MaxUnloggedTries is null)
        {
            if (logged.Count != seen.Count || loggedSuccesses != seenSuccesses)
            {
                Problem("attempt log differs from receiver", $"{where}: the receiver saw {seen.Count} request(s) ({Describe(seen)}), the attempt log has {logged.Count} "
                    + $"({loggedSuccesses} success)");
            }

            return;
        }

        // Cut off mid-run: a try may be unlogged, but no row may stand for a request the receiver did not see, and a
        // delivery is recorded as succeeded once at most.
        if (logged.Count > seen.Count)
        {
            Problem("attempt without request", $"{where}: {logged.Count} attempt(s) logged but the receiver saw only {seen.Count}");
        }

        if (loggedSuccesses > 1 || loggedSuccesses > seenSuccesses)
        {
            Problem("success logged twice", $"{where}: {loggedSuccesses} successful attempt(s) logged; the receiver answered {seenSuccesses} with success");
        }

        unlogged += Math.Max(0, seen.Count - logged.Count);
    }

    private void CheckTiming(string path, Publish publish, List<ReceivedRequest> seen, RetryTiming timing)
    {
        for (var k = 1; k < seen.Count && k <= timing.Delays.Count; k++)
        {
            var gap = seen[k].ArrivedAt - seen[k - 1].ArrivedAt;
            var delay = timing.Delays[k - 1];
            var earliest = delay * (1 - timing.Jitter) - RetryTiming.Tolerance;
            var latest = delay * (1 + timing.Jitter) + timing.TryTimeout + timing.MaxLateness;
            if (gap < earliest || gap > latest)
            {
                Problem("retry off schedule", string.Create(CultureInfo.InvariantCulture,
                    $"{path}: publish {publish.Number}: try {k + 1} came {gap.TotalSeconds:0.00} s after try {k} ({seen[k - 1].Answer}); "
                    + $"the schedule says {earliest.TotalSeconds:0.00}–{latest.TotalSeconds:0.00} s"));
            }
        }
    }

    private static string Describe(List<ReceivedRequest> seen) => string.Join(", ", seen.Select(r => r.Answer));

    /// <summary>Waits until no delivery of any endpoint is pending or being sent; returns how long that took.</summary>
    private async Task<TimeSpan> WaitForDrainAsync(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        var last = "";
        while (clock.Elapsed < timeout)
        {
            var settled = true;
            var stats = new List<string>();
            foreach (var (path, endpointId) in endpointsByPath)
            {
                var s = await (await client.GetAsync($"/api/v1/app/{appId}/endpoint/{endpointId}/stats")).ReadObjectAsync(HttpStatusCode.OK);
                settled &= (long)s["pending"]! == 0 && (long)s["sending"]! == 0;
                stats.Add($"{path}: {s.ToJsonString()}");
            }

            last = string.Join("; ", stats);
            if (settled)
            {
                return clock.Elapsed;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }

        Problem("not drained", $"deliveries still pending {timeout.TotalSeconds:0} s after the load ended: {last}");
        return clock.Elapsed;
    }

    private async Task<List<JsonObject>> ListAllAsync(string url)
    {
        var items = new List<JsonObject>();
        string? iterator = null;
        var separator = url.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        while (true)
        {
            var page = await (await client.GetAsync($"{url}{separator}limit=250" + (iterator is null ? "" : $"&iterator={Uri.EscapeDataString(iterator)}")))
                .ReadObjectAsync(HttpStatusCode.OK);
            items.AddRange(page["data"]!.AsArray().Select(n => n!.AsObject()));
            if ((bool)page["done"]! || (string?)page["iterator"] is not { } next)
            {
                return items;
            }

            iterator = next;
        }
    }

    private void Problem(string kind, string problem) => _problems.Add((kind, problem));
}
