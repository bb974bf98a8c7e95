using System.CommandLine;
using System.Globalization;

namespace Herald.Bench;

/// <summary>The command line: <c>Herald.Bench &lt;scenario&gt; [options]</c>.</summary>
internal static class BenchCommand
{
    public static readonly string[] Scenarios = ["ceiling", "throughput", "latency", "fanout", "push-vs-pull", "backlog", "retry-timing", "noisy-neighbour", "hot-endpoint", "fifo", "many-apps", "sse-consumers", "bounds", "quick", "all"];

    private static readonly BenchSettings Defaults = new() { ServerAssembly = "", ResultsDirectory = "", ChartsDirectory = "" };

    public static async Task<int> RunAsync(string[] args)
    {
        var scenario = new Argument<string>("scenario")
        {
            Description = "ceiling, throughput, latency, fanout, push-vs-pull, backlog, retry-timing, noisy-neighbour, hot-endpoint, fifo, many-apps, sse-consumers, bounds (Herald beside bare servers of the same shape), quick (≤ 60 s smoke run, for CI), or all (everything but quick).",
        };
        scenario.AcceptOnlyFromAmong(Scenarios);
        var storage = new Option<string?>("--storage") { Description = "Storage of the Herald processes: sqlite (default; a fresh temp folder per scenario) or postgres." };
        storage.AcceptOnlyFromAmong(BenchSettings.Sqlite, BenchSettings.Postgres);
        var postgres = new Option<string?>("--postgres")
        {
            Description = "PostgreSQL connection string; sets Herald__Storage__Provider=postgres and Herald__Storage__ConnectionString. Use an empty database.",
            HelpName = "connection string",
        };
        var nodes = Int("--nodes", "Herald processes on the same database (needs PostgreSQL when > 1); publishing and pull clients are spread over them.", Defaults.Nodes);
        var apps = Int("--apps", "Applications, one endpoint each, in throughput, latency and backlog.", Defaults.Apps);
        var clients = Int("--clients", "Concurrent publishing clients (closed loop).", Defaults.Clients);
        var ceilingClients = Int("--ceiling-clients", "Concurrent senders of the ceiling.", Defaults.CeilingClients);
        var ceilingDuration = Duration("--ceiling-duration", "How long the ceiling sends.", Defaults.CeilingDuration);
        var warmUp = Duration("--warm-up", "How long Herald is loaded, unmeasured, before throughput, ingest only, latency and push-vs-pull measure.", Defaults.WarmUp);
        var warmUpLimit = Duration("--warm-up-limit", "The longest a warm-up goes on while Herald's JIT is still compiling hot code (measured from its start).", Defaults.WarmUpLimit);
        var duration = Duration("--duration", "How long throughput and ingest-only publish.", Defaults.ThroughputDuration);
        var rates = IntList("--rates", "Publishing rates of latency, messages/s.", Defaults.Rates);
        var latencyDuration = Duration("--latency-duration", "How long each latency rate runs (and each phase of noisy-neighbour).", Defaults.LatencyDuration);
        var fanouts = IntList("--fanout", "Endpoints per message in fanout.", Defaults.Fanouts);
        var fanoutDeliveries = Int("--fanout-deliveries", "Deliveries per fanout measurement (messages = this / endpoints).", Defaults.FanoutDeliveries);
        var fanoutDuration = Duration("--fanout-duration", "The longest a fanout measurement publishes, even if it has not sent all its messages.", Defaults.FanoutDuration);
        var pullRate = Int("--pull-rate", "Publishing rate of push-vs-pull, messages/s.", Defaults.PullRate);
        var pullDuration = Duration("--pull-duration", "How long push-vs-pull publishes.", Defaults.PullDuration);
        var backlogCount = Int("--backlog-count", "Messages queued while the receiver is down.", Defaults.BacklogCount);
        var appCounts = IntList("--app-counts", "Application counts of many-apps (one endpoint each), a fresh Herald for each.", Defaults.AppCounts);
        var scaleDuration = Duration("--scale-duration", "How long many-apps and sse-consumers publish per step.", Defaults.ScaleDuration);
        var sseConsumers = IntList("--sse-consumers", "Concurrent SSE streams of sse-consumers, one step each.", Defaults.SseConsumers);
        var sseRate = Int("--sse-rate", "Publishing rate of sse-consumers, messages/s; every stream receives every message.", Defaults.SseRate);
        var receiverLatency = Int("--receiver-latency-ms", "How long the receiver of hot-endpoint takes to answer each webhook, ms.", Defaults.ReceiverLatencyMs);
        var drainTimeout = Duration("--drain-timeout", "How long to wait for deliveries after publishing before calling the missing ones lost.", Defaults.DrainTimeout);
        var environment = new Option<string[]>("--env")
        {
            Description = "Extra environment for the Herald processes, NAME=VALUE (repeatable); Herald__* variables of this shell are passed on too.",
            HelpName = "NAME=VALUE",
        };
        var server = new Option<string?>("--server") { Description = "The Herald.Server.dll to run (default: the one built with the benchmark).", HelpName = "path" };
        var results = new Option<string?>("--results") { Description = "Folder for the JSON results (default: bench/results of the repository).", HelpName = "folder" };
        var noLatest = new Option<bool>("--no-latest") { Description = "Do not update bench/results/latest and the charts in docs/bench (quick never does)." };

        var root = new RootCommand("Herald.Bench: measures Herald (run as a separate process) against this machine's own ceiling.")
        {
            scenario, storage, postgres, nodes, apps, clients, ceilingClients, ceilingDuration, warmUp, warmUpLimit, duration, rates, latencyDuration,
            fanouts, fanoutDeliveries, fanoutDuration, pullRate, pullDuration, backlogCount, appCounts, scaleDuration, sseConsumers, sseRate, receiverLatency, drainTimeout, environment, server, results, noLatest,
        };
        root.Validators.Add(result =>
        {
            var chosen = result.GetValue(storage);
            var connection = result.GetValue(postgres);
            if (chosen == BenchSettings.Sqlite && connection is not null)
            {
                result.AddError("--postgres and --storage sqlite contradict each other.");
            }
            else if (chosen == BenchSettings.Postgres && string.IsNullOrWhiteSpace(connection))
            {
                result.AddError("--storage postgres needs --postgres \"<connection string>\".");
            }

            if (result.GetValue(nodes) > 1 && connection is null)
            {
                result.AddError("--nodes above 1 needs PostgreSQL (--postgres): one SQLite file serves one Herald process.");
            }

            foreach (var entry in result.GetValue(environment) ?? [])
            {
                if (entry.IndexOf('=', StringComparison.Ordinal) <= 0)
                {
                    result.AddError($"--env takes NAME=VALUE, not '{entry}'.");
                }
            }
        });

        root.SetAction((parse, cancellationToken) =>
        {
            var repository = RepositoryRoot();
            var settings = new BenchSettings
            {
                Storage = parse.GetValue(postgres) is null ? BenchSettings.Sqlite : BenchSettings.Postgres,
                PostgresConnectionString = parse.GetValue(postgres),
                Nodes = parse.GetValue(nodes),
                ServerEnvironment = (parse.GetValue(environment) ?? []).Select(e => e.Split('=', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal),
                ServerAssembly = Path.GetFullPath(parse.GetValue(server) ?? Path.Combine(AppContext.BaseDirectory, "herald-server", "Herald.Server.dll")),
                Apps = parse.GetValue(apps),
                Clients = parse.GetValue(clients),
                CeilingClients = parse.GetValue(ceilingClients),
                CeilingDuration = parse.GetValue(ceilingDuration),
                WarmUp = parse.GetValue(warmUp),
                WarmUpLimit = parse.GetValue(warmUpLimit),
                ThroughputDuration = parse.GetValue(duration),
                Rates = parse.GetValue(rates)!,
                LatencyDuration = parse.GetValue(latencyDuration),
                Fanouts = parse.GetValue(fanouts)!,
                FanoutDeliveries = parse.GetValue(fanoutDeliveries),
                FanoutDuration = parse.GetValue(fanoutDuration),
                PullRate = parse.GetValue(pullRate),
                PullDuration = parse.GetValue(pullDuration),
                BacklogCount = parse.GetValue(backlogCount),
                AppCounts = parse.GetValue(appCounts)!,
                ScaleDuration = parse.GetValue(scaleDuration),
                SseConsumers = parse.GetValue(sseConsumers)!,
                SseRate = parse.GetValue(sseRate),
                DrainTimeout = parse.GetValue(drainTimeout),
                ReceiverLatencyMs = parse.GetValue(receiverLatency),
                ResultsDirectory = Path.GetFullPath(parse.GetValue(results) ?? Path.Combine(repository, "bench", "results")),
                ChartsDirectory = Path.Combine(repository, "docs", "bench"),
                UpdateLatest = !parse.GetValue(noLatest),
            };
            return BenchRunner.RunAsync(parse.GetValue(scenario)!, settings, repository, args, Console.Out, cancellationToken);
        });

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors)
            {
                await Console.Error.WriteLineAsync($"error: {error.Message}");
            }

            await Console.Error.WriteLineAsync("Run with --help for the scenarios and options.");
            return 2;
        }

        return await parsed.InvokeAsync();
    }

    private static Option<int> Int(string name, string description, int defaultValue)
    {
        var option = new Option<int>(name) { Description = description, DefaultValueFactory = _ => defaultValue, HelpName = "n" };
        option.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 1)
            {
                r.AddError($"{name} must be at least 1.");
            }
        });
        return option;
    }

    // Custom parsers run only when a value is read; the validators run with the parse, so bad input is reported with
    // every other error before anything starts.
    private static Option<IReadOnlyList<int>> IntList(string name, string description, IReadOnlyList<int> defaultValue)
    {
        var option = new Option<IReadOnlyList<int>>(name)
        {
            Description = description,
            HelpName = "n,n,…",
            Arity = ArgumentArity.ExactlyOne,
            DefaultValueFactory = _ => defaultValue,
            CustomParser = result => ParseIntList(result.Tokens[0].Value) ?? defaultValue,
        };
        option.Validators.Add(result =>
        {
            if (result.Tokens.Count > 0 && ParseIntList(result.Tokens[0].Value) is null)
            {
                result.AddError($"{name} takes positive whole numbers separated by commas, not '{result.Tokens[0].Value}'.");
            }
        });
        return option;
    }

    private static Option<TimeSpan> Duration(string name, string description, TimeSpan defaultValue)
    {
        var option = new Option<TimeSpan>(name)
        {
            Description = description,
            HelpName = "30s|500ms|2m",
            DefaultValueFactory = _ => defaultValue,
            CustomParser = result => ParseDuration(result.Tokens[0].Value) ?? defaultValue,
        };
        option.Validators.Add(result =>
        {
            if (result.Tokens.Count > 0 && ParseDuration(result.Tokens[0].Value) is null)
            {
                result.AddError($"{name} takes a positive duration like 30s, 500ms or 2m, not '{result.Tokens[0].Value}'.");
            }
        });
        return option;
    }

    private static List<int>? ParseIntList(string text)
    {
        var values = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < 1)
            {
                return null;
            }

            values.Add(value);
        }

        return values.Count > 0 ? values : null;
    }

    private static TimeSpan? ParseDuration(string text)
    {
        var (number, unit) = text.EndsWith("ms", StringComparison.Ordinal) ? (text[..^2], TimeSpan.FromMilliseconds(1))
            : text.EndsWith('s') ? (text[..^1], TimeSpan.FromSeconds(1))
            : text.EndsWith('m') ? (text[..^1], TimeSpan.FromMinutes(1))
            : (text, TimeSpan.FromSeconds(1));
        return double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) && value > 0 ? unit * value : null;
    }

    /// <summary>The repository the benchmark belongs to: up from the working directory, else up from the program's folder.</summary>
    private static string RepositoryRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "Herald.slnx")))
                {
                    return directory.FullName;
                }
            }
        }

        return Directory.GetCurrentDirectory();
    }
}
