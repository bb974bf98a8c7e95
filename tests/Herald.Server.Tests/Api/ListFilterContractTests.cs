using System.Globalization;
using Herald.Server.Tests.BackgroundTasks;
using Herald.Server.Tests.Delivery;
using Herald.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace Herald.Server.Tests.Api;

/// <summary>
/// The list-filter contract (issue 11, acceptance 5), driven by Herald's own <c>/openapi/v1.json</c>: for every
/// query parameter every GET list route declares, a scenario proves with data that two values give different
/// answers, or that the parameter is refused with a 4xx naming it. A parameter or route added without a
/// scenario fails the test with its name: add a row to <see cref="Scenarios"/> (or a path value to
/// <see cref="ListFilterFixture.PathValues"/>), with data in the fixture that tells the two values apart.
/// </summary>
public sealed class ListFilterContractTests(ListFilterFixture fixture) : IClassFixture<ListFilterFixture>
{
    /// <summary>Two values of a query parameter for one list route; an empty value means "parameter absent".</summary>
    private delegate Task<(string A, string B)> Scenario(ListFilterFixture f, string url);

    private static Task<(string, string)> Pair(string a, string b) => Task.FromResult((a, b));

    // Each row: the parameter, and two values over the fixture's data that must select different items (or shape them differently).
    private static readonly Dictionary<string, Scenario> Scenarios = new(StringComparer.Ordinal)
    {
        ["limit"] = (_, _) => Pair("1", "250"),
        ["iterator"] = async (f, url) => ("", await f.FirstPageIteratorAsync(url)),
        ["order"] = (_, _) => Pair("ascending", "descending"),
        ["with_content"] = (_, _) => Pair("true", "false"),
        ["event_types"] = (_, _) => Pair("invoice.paid", "user.created"),
        ["event_type"] = (_, _) => Pair("invoice.paid", "user.created"),
        ["channel"] = (_, _) => Pair("ch1", "ch2"),
        ["tag"] = (_, _) => Pair("t1", "t2"),
        // The first message (and its attempts) is at T0, the others a minute and two later.
        ["before"] = (f, _) => Pair(f.At(TimeSpan.FromSeconds(30)), f.At(TimeSpan.FromSeconds(-30))),
        ["after"] = (f, _) => Pair(f.At(TimeSpan.FromSeconds(30)), f.At(TimeSpan.FromSeconds(-30))),
        ["status"] = (_, _) => Pair("0", "4"),
        ["status_code_class"] = (_, _) => Pair("200", "500"),
        ["with_msg"] = (_, _) => Pair("true", "false"),
        ["endpoint_id"] = (f, _) => Pair(f.EndpointA, f.EndpointB),
        ["expanded_statuses"] = (_, _) => Pair("true", "false"),
        ["include_archived"] = (_, _) => Pair("true", "false"),
        ["exclude_apps_with_no_endpoints"] = (_, _) => Pair("true", "false"),
        ["exclude_apps_with_disabled_endpoints"] = (_, _) => Pair("true", "false"),
        ["exclude_apps_with_svix_play_endpoints"] = (_, _) => Pair("true", "false"),
    };

    // Rows for one route, where a parameter's name means something else than in the table above.
    private static readonly Dictionary<(string Route, string Parameter), Scenario> RouteScenarios = new()
    {
        [("/api/v1/background-task", "status")] = (_, _) => Pair("finished", "failed"),
        [("/api/v1/background-task", "task")] = (_, _) => Pair("endpoint.recover", "endpoint.replay"),
        // A consumer read with an iterator commits it: after the first message, then back to the start ("0"), so the
        // consumer's cursor is where it was for the other rows.
        [("/api/v1/app/{app_id}/poller/{sink_id}/consumer/{consumer_id}", "iterator")] = async (f, url) => (await f.FirstPageIteratorAsync(url), "0"),
        // The stream's first event (see ListFilterFixture.ListAsync) is the first message after the iterator.
        [("/api/v1/app/{app_id}/poller/{sink_id}/stream", "iterator")] = async (f, url) => ("", await f.FirstPageIteratorAsync(url[..^"/stream".Length])),
    };

    // Parameters whose effect is on when the answer comes, not on which items it lists: proven by an answer that holds
    // different data (see ListFilterFixture.WaitAnswersAsync).
    private static readonly Dictionary<string, Func<ListFilterFixture, string, Task<(string A, string B)>>> DataScenarios = new(StringComparer.Ordinal)
    {
        ["wait"] = (f, route) => f.WaitAnswersAsync(route),
    };

    // (route, parameter) pairs whose two values cannot differ on any data Herald can hold, each with the reason and
    // a check of that reason (so the exception ends when the reason does).
    private static readonly Dictionary<(string Route, string Parameter), string> NoDataCanDiffer = new()
    {
        [("/api/v1/app/{app_id}/attempt/endpoint/{endpoint_id}", "expanded_statuses")] = "Herald records no canceled attempts (a canceled delivery makes no attempt)",
        [("/api/v1/app/{app_id}/attempt/msg/{msg_id}", "expanded_statuses")] = "Herald records no canceled attempts (a canceled delivery makes no attempt)",
    };

    [Fact]
    public async Task EveryDeclaredListParameter_NonMatchingValue_ChangesTheAnswerOrIsRefused()
    {
        var document = await fixture.Admin.GetObjectAsync("/openapi/v1.json");
        var failures = new List<string>();
        var checkedCount = 0;
        var listed = new List<string>();
        foreach (var (route, operations) in document["paths"]!.AsObject())
        {
            if (operations!["get"] is not JsonObject get || !IsList(get))
            {
                continue;
            }

            listed.Add(route);
            if (!fixture.TryResolve(route, out var url))
            {
                failures.Add($"{route}: no path value for it in ListFilterFixture.PathValues (and no data to list)");
                continue;
            }

            foreach (var parameter in (get["parameters"]?.AsArray() ?? []).Where(p => (string?)p!["in"] == "query").Select(p => (string)p!["name"]!))
            {
                checkedCount++;
                if (DataScenarios.TryGetValue(parameter, out var dataScenario))
                {
                    var (dataA, dataB) = await dataScenario(fixture, route);
                    if (dataA == dataB)
                    {
                        failures.Add($"{route} ?{parameter}: with and without it gave the same data: {dataA}");
                    }

                    continue;
                }

                if (!RouteScenarios.TryGetValue((route, parameter), out var scenario) && !Scenarios.TryGetValue(parameter, out scenario))
                {
                    failures.Add($"{route} ?{parameter}: no scenario in ListFilterContractTests.Scenarios");
                    continue;
                }

                var (a, b) = await scenario(fixture, url);
                var answerA = await fixture.ListAsync(url, parameter, a);
                var answerB = await fixture.ListAsync(url, parameter, b);
                if (answerB.Status is >= 400 and < 500 && answerB.Body.Contains(parameter, StringComparison.Ordinal))
                {
                    continue; // Refused, naming the parameter.
                }

                if (answerA.Status != 200 || answerB.Status != 200)
                {
                    failures.Add($"{route} ?{parameter}={a} / {b}: answered {answerA.Status} / {answerB.Status}: {answerA.Body} {answerB.Body}");
                }
                else if (NoDataCanDiffer.TryGetValue((route, parameter), out var reason))
                {
                    // The reason must still hold: no item of either answer is canceled.
                    if (answerA.Data.Contains("\"status\":4", StringComparison.Ordinal) || answerA.Data != answerB.Data)
                    {
                        failures.Add($"{route} ?{parameter}: listed as unable to differ ({reason}), but it did: remove the exception");
                    }
                }
                else if (answerA.Data == answerB.Data)
                {
                    failures.Add($"{route} ?{parameter}={a} and ={b} gave the same data (the parameter is ignored, or the fixture cannot tell them apart): {answerA.Data}");
                }
            }
        }

        Assert.Contains(listed, r => r.EndsWith("/stream", StringComparison.Ordinal));
        Assert.Contains(listed, r => r.EndsWith("/consumer/{consumer_id}", StringComparison.Ordinal));
        Assert.True(checkedCount > 50, $"only {checkedCount} list parameters found in the document");
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    // A list route answers Svix's list shape, which the document names ListResponseOf…; a poller read answers
    // PollingEndpointOut (data, iterator, done); the poller's stream answers text/event-stream, one message an event.
    private static bool IsList(JsonObject get)
    {
        var content = get["responses"]?["200"]?["content"];
        var schema = content?["application/json"]?["schema"]?["$ref"]?.GetValue<string>() ?? "";
        return schema.Contains("/ListResponse", StringComparison.Ordinal) || schema.EndsWith("/PollingEndpointOut", StringComparison.Ordinal)
            || content?["text/event-stream"] is not null;
    }

    [Fact]
    public async Task EndpointMessages_CanceledDelivery_ReadsAsSuccessUnlessExpandedStatuses()
    {
        var url = $"/api/v1/app/acme/endpoint/{fixture.EndpointA}/msg";

        var plain = await fixture.Admin.GetDataAsync(url);
        var expanded = await fixture.Admin.GetDataAsync(url + "?expanded_statuses=true");

        var canceledId = fixture.Messages[1];
        Assert.Equal(0, (int)plain.Single(m => (string?)m!["id"] == canceledId)!["status"]!);
        Assert.Equal(4, (int)expanded.Single(m => (string?)m!["id"] == canceledId)!["status"]!);
        Assert.Equal("canceled", (string?)expanded.Single(m => (string?)m!["id"] == canceledId)!["statusText"]);
    }

    [Fact]
    public async Task Applications_ExcludeFilters_LeaveOutExactlyTheAppsTheyName()
    {
        static async Task<string[]> UidsAsync(HttpClient admin, string query) =>
            [.. (await admin.GetDataAsync("/api/v1/app?limit=250" + query)).Select(a => (string?)a!["uid"] ?? "").Order(StringComparer.Ordinal)];

        // tail has a polling endpoint only: no (webhook) endpoints.
        Assert.Equal(["acme", "empty", "off", "play", "tail"], await UidsAsync(fixture.Admin, ""));
        Assert.Equal(["acme", "off", "play"], await UidsAsync(fixture.Admin, "&exclude_apps_with_no_endpoints=true"));
        Assert.Equal(["acme", "empty", "play", "tail"], await UidsAsync(fixture.Admin, "&exclude_apps_with_disabled_endpoints=true"));
        Assert.Equal(["acme", "empty", "off", "tail"], await UidsAsync(fixture.Admin, "&exclude_apps_with_svix_play_endpoints=true"));
    }

    [Fact]
    public async Task AttemptList_WithContentFalse_AnswersEmptyObjectResponseAndWithMsgHasNoPayload()
    {
        var attempts = await fixture.Admin.GetDataAsync($"/api/v1/app/acme/attempt/endpoint/{fixture.EndpointA}?with_content=false&with_msg=true&channel=ch1");

        var attempt = Assert.Single(attempts)!;
        Assert.Equal("{}", (string?)attempt["response"]);
        Assert.Equal("{}", attempt["msg"]!["payload"]!.ToJsonString());
    }

    [Fact]
    public async Task PollerStream_WithLimit_IsRefusedNamingIt()
    {
        var response = await fixture.Admin.GetAsync("/api/v1/app/acme/poller/pull-1/stream?limit=1", HttpCompletionOption.ResponseHeadersRead);

        var body = await response.AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");
        Assert.Contains("\"limit\"", body.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListParameter_Malformed_IsRefusedNamingIt()
    {
        foreach (var (query, location) in new[]
        {
            ("status=9", "query.status"), ("status_code_class=250", "query.status_code_class"), ("before=yesterday", "query.before"),
            ("with_content=maybe", "query.with_content"), ("limit=x", "query.limit"), ("tag=a%20b", "query.tag"),
        })
        {
            var response = await fixture.Admin.GetAsync($"/api/v1/app/acme/attempt/endpoint/{fixture.EndpointA}?{query}");

            var body = await response.AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");
            Assert.Contains(location.Split('.')[1], body.ToJsonString(), StringComparison.Ordinal);
        }
    }
}

/// <summary>
/// Varied data for the list-filter contract, on a clock that moves only when told: four applications (with
/// enabled, no, only disabled, only Svix Play endpoints), event types (one with schemas, one archived), two
/// endpoints receiving three messages a minute apart on different event types, channels and tags (the second
/// fails, stays pending, then is canceled by expunging its payload), two polling and two operational endpoints; and
/// an application <c>tail</c> with a polling endpoint, where a poller read waits for a message published meanwhile.
/// </summary>
public sealed class ListFilterFixture : IAsyncLifetime
{
    private readonly HeraldApplication _herald = DeliveryTestKit.FakeTimeHerald(TimeSpan.FromHours(1));
    private WebhookReceiver _receiver = null!;

    public HttpClient Admin { get; private set; } = null!;
    public string EndpointA { get; private set; } = null!;
    public string EndpointB { get; private set; } = null!;
    public List<string> Messages { get; } = [];
    public DateTimeOffset T0 { get; private set; }

    /// <summary>What each path parameter of a list route stands for here.</summary>
    public Dictionary<string, string> PathValues { get; } = new(StringComparer.Ordinal);

    public string At(TimeSpan offset) => (T0 + offset).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    public async Task InitializeAsync()
    {
        _receiver = await WebhookReceiver.StartAsync();
        _receiver.Respond = async (webhook, context) =>
        {
            var ok = !webhook.BodyText.Contains("\"ok\":false", StringComparison.Ordinal);
            context.Response.StatusCode = ok ? 200 : 500;
            await context.Response.WriteAsync(ok ? "thanks" : "boom");
        };
        Admin = _herald.CreateAdminClient();
        T0 = _herald.Time!.GetUtcNow();

        await (await Admin.PostAsJsonAsync("/api/v1/event-type", new { name = "invoice.paid", description = "paid", schemas = new Dictionary<string, object> { ["1"] = new { type = "object" } } }))
            .ReadObjectAsync(HttpStatusCode.Created);
        await Admin.CreateEventTypeAsync("user.created");
        await Admin.CreateEventTypeAsync("old.type");
        (await Admin.DeleteAsync("/api/v1/event-type/old.type")).EnsureSuccessStatusCode();

        await Admin.CreateOperatorEndpointAsync(_receiver.Url("/ops1"));
        await Admin.CreateOperatorEndpointAsync(_receiver.Url("/ops2"));

        await Admin.CreateAppAsync("Acme", "acme");
        await Admin.CreateAppAsync("Empty", "empty");
        await Admin.CreateAppAsync("Off", "off");
        await Admin.CreateEndpointAsync("off", "https://example.com/off", new JsonObject { ["disabled"] = true });
        await Admin.CreateAppAsync("Play", "play");
        await Admin.CreateEndpointAsync("play", "https://play.svix.com/in/e_abc/");

        EndpointA = (string)(await Admin.CreateEndpointAsync("acme", _receiver.Url("/a")))["id"]!;
        EndpointB = (string)(await Admin.CreateEndpointAsync("acme", _receiver.Url("/b")))["id"]!;
        await (await Admin.PostAsJsonAsync("/api/v1/app/acme/destination", new { type = "pollingEndpoint", uid = "pull-1" })).ReadObjectAsync(HttpStatusCode.Created);
        await (await Admin.PostAsJsonAsync("/api/v1/app/acme/destination", new { type = "pollingEndpoint", uid = "pull-2" })).ReadObjectAsync(HttpStatusCode.Created);

        await PublishAsync("invoice.paid", true, channel: "ch1", tag: "t1");
        await PublishAsync("user.created", false, channel: "ch2", tag: "t2");
        await PublishAsync("invoice.paid", true, channel: null, tag: null);

        // The second message's deliveries wait for their retry (an hour away): expunging its payload cancels them.
        (await Admin.DeleteAsync($"/api/v1/app/acme/msg/{Messages[1]}/content")).EnsureSuccessStatusCode();

        // Two background tasks of different kinds, both finished: a recover of endpoint A, a replay of endpoint B.
        foreach (var (endpoint, route) in new[] { (EndpointA, "recover"), (EndpointB, "replay-missing") })
        {
            var task = await (await Admin.PostAsJsonAsync($"/api/v1/app/acme/endpoint/{endpoint}/{route}", new { since = At(TimeSpan.FromMinutes(-5)) }))
                .ReadObjectAsync(HttpStatusCode.Accepted);
            var ended = await Admin.WaitForTaskAsync((string)task["id"]!);
            Assert.True((string?)ended["status"] == "finished", ended.ToJsonString());
        }

        PathValues["app_id"] = "acme";
        PathValues["endpoint_id"] = EndpointA;
        PathValues["msg_id"] = Messages[0];
        PathValues["sink_id"] = "pull-1";
        PathValues["consumer_id"] = "contract";

        // A second API key beside the bootstrap one, so that a page of one differs from a page of all.
        await (await Admin.PostJsonAsync("/api/v1/auth/api-key", """{"name":"contract","scopes":["admin:read"]}""")).ReadObjectAsync(HttpStatusCode.Created);
        await Admin.CreateAppAsync("Tail", "tail");
        await (await Admin.PostAsJsonAsync("/api/v1/app/tail/destination", new { type = "pollingEndpoint", uid = "tail-sink" })).ReadObjectAsync(HttpStatusCode.Created);
    }

    /// <summary>
    /// The data of a poller read of <c>tail</c> at the end of its log, without and with <c>wait=30s</c>, while a message is
    /// published: the first answers at once with nothing; the second is still waiting (the clock does not move) when the
    /// message commits, and answers with it.
    /// </summary>
    public async Task<(string Without, string With)> WaitAnswersAsync(string route)
    {
        var url = route.Replace("{app_id}", "tail", StringComparison.Ordinal).Replace("{sink_id}", "tail-sink", StringComparison.Ordinal)
            .Replace("{consumer_id}", "contract", StringComparison.Ordinal);
        var end = (string)(await Admin.GetObjectAsync(url))["iterator"]!;
        var without = await Admin.GetObjectAsync($"{url}?iterator={end}");

        var waiting = Admin.GetAsync($"{url}?iterator={end}&wait=30s");
        // Under the fake clock a wait can only end with a commit: an answer before it means the wait was ignored.
        Assert.NotSame(waiting, await Task.WhenAny(waiting, Task.Delay(TimeSpan.FromMilliseconds(200))));
        var published = (string)(await Admin.PublishAsync("tail"))["id"]!;
        var with = await (await waiting).ReadObjectAsync(HttpStatusCode.OK);

        Assert.Contains(published, with["data"]!.ToJsonString(), StringComparison.Ordinal);
        return (without["data"]!.ToJsonString(), with["data"]!.ToJsonString());
    }

    private async Task PublishAsync(string eventType, bool ok, string? channel, string? tag)
    {
        var extra = new JsonObject { ["payload"] = new JsonObject { ["ok"] = ok } };
        if (channel is not null)
        {
            extra["channels"] = new JsonArray(channel);
        }

        if (tag is not null)
        {
            extra["tags"] = new JsonArray(tag);
        }

        var id = (string)(await Admin.PublishAsync("acme", eventType, extra))["id"]!;
        Messages.Add(id);
        await Admin.WaitForAttemptsAsync("acme", id, 2);
        _herald.Time!.Advance(TimeSpan.FromMinutes(1));
    }

    public bool TryResolve(string route, out string url)
    {
        url = route;
        foreach (var segment in route.Split('/').Where(s => s.StartsWith('{')))
        {
            if (!PathValues.TryGetValue(segment.Trim('{', '}'), out var value))
            {
                return false;
            }

            url = url.Replace(segment, value, StringComparison.Ordinal);
        }

        return true;
    }

    public async Task<string> FirstPageIteratorAsync(string url) =>
        (string?)(await Admin.GetObjectAsync(url + "?limit=1"))["iterator"] ?? throw new InvalidOperationException($"{url} has fewer than two items.");

    /// <summary>The answer to <paramref name="url"/> with one query parameter (absent when <paramref name="value"/> is empty): status, body, and its data
    /// (for the poller's stream, its first event: each scenario's values have one).</summary>
    public async Task<(int Status, string Body, string Data)> ListAsync(string url, string parameter, string value)
    {
        var target = value.Length == 0 ? url : $"{url}?{parameter}={Uri.EscapeDataString(value)}";
        if (url.EndsWith("/stream", StringComparison.Ordinal))
        {
            return await FirstEventAsync(target);
        }

        var response = await Admin.GetAsync(target);
        var body = await response.Content.ReadAsStringAsync();
        var data = response.IsSuccessStatusCode ? JsonNode.Parse(body)!["data"]!.ToJsonString() : "";
        return ((int)response.StatusCode, body, data);
    }

    private async Task<(int Status, string Body, string Data)> FirstEventAsync(string url)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var response = await Admin.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        if (!response.IsSuccessStatusCode)
        {
            return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(timeout.Token), "");
        }

        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        while (await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                return (200, line, line["data: ".Length..]);
            }
        }

        throw new EndOfStreamException($"{url} ended before its first event.");
    }

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        _herald.Dispose();
    }
}
