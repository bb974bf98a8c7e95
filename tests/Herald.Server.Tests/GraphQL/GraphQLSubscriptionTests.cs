using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text;
using Herald.Server.Tests.Delivery;
using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.GraphQL;

/// <summary>A Herald with a real receiver, for the subscription tests; each test works on an application of its own.</summary>
public sealed class GraphQLSubscriptionFixture : IAsyncLifetime
{
    public HeraldApplication Herald { get; } = DeliveryTestKit.LoopbackHerald().With("Herald:GraphQL:AttemptPollInterval", "00:00:00.200");

    public HttpClient Admin { get; private set; } = null!;

    public WebhookReceiver Receiver { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Admin = Herald.CreateAdminClient();
        Receiver = await WebhookReceiver.StartAsync();
        await Admin.CreateEventTypeAsync("order.created");
        await Admin.CreateEventTypeAsync("order.shipped");
    }

    public async Task DisposeAsync()
    {
        await Receiver.DisposeAsync();
        await Herald.DisposeAsync();
    }
}

/// <summary>
/// GraphQL subscriptions (messageCreated, attemptCompleted) over both transports: GraphQL over SSE (graphql-sse's distinct
/// connections mode) and WebSockets (graphql-transport-ws), with their protocol errors and close codes.
/// </summary>
public sealed class GraphQLSubscriptionTests(GraphQLSubscriptionFixture fixture) : IClassFixture<GraphQLSubscriptionFixture>
{
    private const string MessagesSubscription = """
        subscription($app: ID!, $after: Long, $types: [String!]) {
          messageCreated(appId: $app, after: $after, eventTypes: $types) { id eventType sequence application { id } }
        }
        """;

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Sse_MessageCreatedAfterSequence_ReplaysWhatFollowedThenStreamsLive()
    {
        var app = await NewAppAsync();
        var first = await PublishAsync(app, "order.created");
        var skipped = await PublishAsync(app, "order.shipped");
        var second = await PublishAsync(app, "order.created");
        var after = await SequenceAsync(app, first);

        using var cancel = new CancellationTokenSource(Deadline);
        using var response = await SseAsync(MessagesSubscription, new JsonObject { ["app"] = app, ["after"] = after, ["types"] = new JsonArray("order.created") }, cancel.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var events = new SseReader(await response.Content.ReadAsStreamAsync(cancel.Token));

        // Replayed: the one matching message after the sequence (the shipped one is filtered out).
        var replayed = await events.NextAsync(cancel.Token);
        Assert.Equal("next", replayed.Event);
        Assert.Equal(second, (string?)replayed.Data!["data"]!["messageCreated"]!["id"]);
        Assert.Equal(app, (string?)replayed.Data["data"]!["messageCreated"]!["application"]!["id"]);

        // Live: published after the stream started.
        var live = await PublishAsync(app, "order.created");
        var next = await events.NextAsync(cancel.Token);
        Assert.Equal(live, (string?)next.Data!["data"]!["messageCreated"]!["id"]);
        Assert.True((long)next.Data["data"]!["messageCreated"]!["sequence"]! > after);
        Assert.NotEqual(skipped, live);
    }

    [Fact]
    public async Task Sse_Query_OneNextThenComplete()
    {
        using var cancel = new CancellationTokenSource(Deadline);
        using var response = await SseAsync("{ eventTypes(first: 1) { edges { node { name } } } }", null, cancel.Token);
        using var events = new SseReader(await response.Content.ReadAsStreamAsync(cancel.Token));

        var next = await events.NextAsync(cancel.Token);
        Assert.Equal("next", next.Event);
        Assert.NotNull(next.Data!["data"]!["eventTypes"]);
        Assert.Equal("complete", (await events.NextAsync(cancel.Token)).Event);
    }

    [Fact]
    public async Task Sse_WithoutToken_Is401()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/graphql") { Content = Body("subscription { __typename }", null) };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var anonymous = fixture.Herald.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.SendAsync(request)).StatusCode);
    }

    [Fact]
    public async Task Sse_AppPortalTokenOfAnotherApplication_GetsNotFound()
    {
        var own = await NewAppAsync();
        var other = await NewAppAsync();
        var access = await (await fixture.Admin.PostAsJsonAsync($"/api/v1/auth/app-portal-access/{own}", new { })).ReadObjectAsync(HttpStatusCode.OK);

        using var cancel = new CancellationTokenSource(Deadline);
        using var response = await SseAsync(MessagesSubscription, new JsonObject { ["app"] = other }, cancel.Token, (string)access["token"]!);
        using var events = new SseReader(await response.Content.ReadAsStreamAsync(cancel.Token));
        var next = await events.NextAsync(cancel.Token);
        Assert.Equal("NOT_FOUND", (string?)next.Data!["errors"]![0]!["extensions"]!["code"]);
        Assert.Equal("complete", (await events.NextAsync(cancel.Token)).Event);
    }

    [Fact]
    public async Task WebSocket_SubscribeAfterAck_StreamsMessagesAndAnswersPing()
    {
        var app = await NewAppAsync();
        var before = await PublishAsync(app, "order.created");
        var after = await SequenceAsync(app, before);
        using var cancel = new CancellationTokenSource(Deadline);
        using var socket = await ConnectAsync(cancel.Token);

        await SendAsync(socket, new JsonObject { ["type"] = "connection_init", ["payload"] = new JsonObject { ["Authorization"] = "Bearer " + HeraldApplication.AdminToken } }, cancel.Token);
        Assert.Equal("connection_ack", (string?)(await ReceiveAsync(socket, cancel.Token))!["type"]);
        await SendAsync(socket, new JsonObject { ["type"] = "ping" }, cancel.Token);
        Assert.Equal("pong", (string?)(await ReceiveAsync(socket, cancel.Token))!["type"]);

        await SendAsync(socket, Subscribe("s1", MessagesSubscription, new JsonObject { ["app"] = app, ["after"] = after }), cancel.Token);
        var live = await PublishAsync(app, "order.shipped");
        var next = (await ReceiveAsync(socket, cancel.Token))!;
        Assert.Equal("next", (string?)next["type"]);
        Assert.Equal("s1", (string?)next["id"]);
        Assert.Equal(live, (string?)next["payload"]!["data"]!["messageCreated"]!["id"]);

        // A query over the socket: next, then complete.
        await SendAsync(socket, Subscribe("q1", "{ application(id: \"" + app + "\") { id } }", null), cancel.Token);
        Assert.Equal(app, (string?)(await ReceiveAsync(socket, cancel.Token))!["payload"]!["data"]!["application"]!["id"]);
        Assert.Equal("complete", (string?)(await ReceiveAsync(socket, cancel.Token))!["type"]);

        await SendAsync(socket, new JsonObject { ["type"] = "complete", ["id"] = "s1" }, cancel.Token);
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", cancel.Token);
    }

    [Fact]
    public async Task WebSocket_AttemptCompleted_StreamsTheOutcomeOfEachAttempt()
    {
        var app = await NewAppAsync();
        var endpoint = (string)(await fixture.Admin.CreateEndpointAsync(app, fixture.Receiver.Url("/attempts-" + app)))["id"]!;
        using var cancel = new CancellationTokenSource(Deadline);
        using var socket = await ConnectAsync(cancel.Token, HeraldApplication.AdminToken);
        await SendAsync(socket, new JsonObject { ["type"] = "connection_init" }, cancel.Token); // the upgrade request's header
        Assert.Equal("connection_ack", (string?)(await ReceiveAsync(socket, cancel.Token))!["type"]);
        await SendAsync(socket, Subscribe("a", """
            subscription($app: ID!, $ep: ID) { attemptCompleted(appId: $app, endpointId: $ep) { status responseStatusCode endpointId message { id } } }
            """, new JsonObject { ["app"] = app, ["ep"] = endpoint }), cancel.Token);

        // The subscription starts reading asynchronously: publish until an attempt arrives (each publish makes one).
        string? message = null;
        JsonObject? next = null;
        while (next is null)
        {
            message = await PublishAsync(app, "order.created");
            next = await ReceiveAsync(socket, cancel.Token, TimeSpan.FromSeconds(3));
        }

        var attempt = next["payload"]!["data"]!["attemptCompleted"]!;
        Assert.Equal("SUCCESS", (string?)attempt["status"]);
        Assert.Equal(200, (int)attempt["responseStatusCode"]!);
        Assert.Equal(endpoint, (string?)attempt["endpointId"]);
        Assert.NotNull(message);
    }

    [Fact]
    public async Task WebSocket_SubscribeBeforeInit_Closes4401()
    {
        using var cancel = new CancellationTokenSource(Deadline);
        using var socket = await ConnectAsync(cancel.Token);
        await SendAsync(socket, Subscribe("x", "{ __typename }", null), cancel.Token);
        Assert.Equal(4401, await CloseCodeAsync(socket, cancel.Token));
    }

    [Fact]
    public async Task WebSocket_UnknownToken_Closes4403()
    {
        using var cancel = new CancellationTokenSource(Deadline);
        using var socket = await ConnectAsync(cancel.Token);
        await SendAsync(socket, new JsonObject { ["type"] = "connection_init", ["payload"] = new JsonObject { ["Authorization"] = "Bearer herald_sk_unknown_0123456789" } }, cancel.Token);
        Assert.Equal(4403, await CloseCodeAsync(socket, cancel.Token));
    }

    [Fact]
    public async Task WebSocket_SecondInit_Closes4429()
    {
        using var cancel = new CancellationTokenSource(Deadline);
        using var socket = await InitializedAsync(cancel.Token);
        await SendAsync(socket, new JsonObject { ["type"] = "connection_init", ["payload"] = new JsonObject { ["token"] = HeraldApplication.AdminToken } }, cancel.Token);
        Assert.Equal(4429, await CloseCodeAsync(socket, cancel.Token));
    }

    [Fact]
    public async Task WebSocket_SubscriptionIdInUse_Closes4409()
    {
        var app = await NewAppAsync();
        using var cancel = new CancellationTokenSource(Deadline);
        using var socket = await InitializedAsync(cancel.Token);
        await SendAsync(socket, Subscribe("same", MessagesSubscription, new JsonObject { ["app"] = app }), cancel.Token);
        await SendAsync(socket, Subscribe("same", MessagesSubscription, new JsonObject { ["app"] = app }), cancel.Token);
        Assert.Equal(4409, await CloseCodeAsync(socket, cancel.Token));
    }

    [Fact]
    public async Task WebSocket_InvalidMessage_Closes4400()
    {
        using var cancel = new CancellationTokenSource(Deadline);
        using var socket = await InitializedAsync(cancel.Token);
        await socket.SendAsync("not json"u8.ToArray(), WebSocketMessageType.Text, true, cancel.Token);
        Assert.Equal(4400, await CloseCodeAsync(socket, cancel.Token));
    }

    [Fact]
    public async Task WebSocket_InvalidOperation_AnswersErrorForThatSubscriptionOnly()
    {
        using var cancel = new CancellationTokenSource(Deadline);
        using var socket = await InitializedAsync(cancel.Token);
        await SendAsync(socket, Subscribe("bad", "subscription { messageCreated { id } }", null), cancel.Token);
        var error = (await ReceiveAsync(socket, cancel.Token))!;
        Assert.Equal("error", (string?)error["type"]);
        Assert.Equal("bad", (string?)error["id"]);
        Assert.NotEmpty(error["payload"]!.AsArray());
        await SendAsync(socket, new JsonObject { ["type"] = "ping" }, cancel.Token);
        Assert.Equal("pong", (string?)(await ReceiveAsync(socket, cancel.Token))!["type"]);
    }

    [Fact]
    public async Task WebSocket_WithoutSubprotocol_Is400()
    {
        using var anonymous = fixture.Herald.CreateClient();
        var client = fixture.Herald.Server.CreateWebSocketClient();
        var error = await Assert.ThrowsAnyAsync<Exception>(() => client.ConnectAsync(new Uri("ws://localhost/graphql"), CancellationToken.None));
        Assert.Contains("400", error.Message, StringComparison.Ordinal);
    }

    private async Task<string> NewAppAsync() => (string)(await fixture.Admin.CreateAppAsync("Subs"))["id"]!;

    private async Task<string> PublishAsync(string app, string eventType) => (string)(await fixture.Admin.PublishAsync(app, eventType))["id"]!;

    private async Task<long> SequenceAsync(string app, string message) =>
        (long)(await fixture.Admin.QueryAsync("query($a: ID!, $m: ID!) { application(id: $a) { message(id: $m) { sequence } } }",
            new JsonObject { ["a"] = app, ["m"] = message }))["application"]!["message"]!["sequence"]!;

    private static StringContent Body(string query, JsonObject? variables) =>
        new(new JsonObject { ["query"] = query, ["variables"] = variables?.DeepClone() }.ToJsonString(), Encoding.UTF8, "application/json");

    private async Task<HttpResponseMessage> SseAsync(string query, JsonObject? variables, CancellationToken cancellationToken, string? token = null)
    {
        var client = token is null ? fixture.Admin : fixture.Herald.CreateClient(token);
        var request = new HttpRequestMessage(HttpMethod.Post, "/graphql") { Content = Body(query, variables) };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        return await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    }

    private async Task<WebSocket> ConnectAsync(CancellationToken cancellationToken, string? headerToken = null)
    {
        _ = fixture.Herald.Server; // started by the fixture's client
        var client = fixture.Herald.Server.CreateWebSocketClient();
        client.SubProtocols.Add("graphql-transport-ws");
        if (headerToken is not null)
        {
            client.ConfigureRequest = r => r.Headers.Authorization = "Bearer " + headerToken;
        }

        return await client.ConnectAsync(new Uri("ws://localhost/graphql"), cancellationToken);
    }

    private async Task<WebSocket> InitializedAsync(CancellationToken cancellationToken)
    {
        var socket = await ConnectAsync(cancellationToken);
        await SendAsync(socket, new JsonObject { ["type"] = "connection_init", ["payload"] = new JsonObject { ["Authorization"] = "Bearer " + HeraldApplication.AdminToken } }, cancellationToken);
        Assert.Equal("connection_ack", (string?)(await ReceiveAsync(socket, cancellationToken))!["type"]);
        return socket;
    }

    private static JsonObject Subscribe(string id, string query, JsonObject? variables) => new()
    {
        ["type"] = "subscribe",
        ["id"] = id,
        ["payload"] = new JsonObject { ["query"] = query, ["variables"] = variables?.DeepClone() },
    };

    private static Task SendAsync(WebSocket socket, JsonObject message, CancellationToken cancellationToken) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, true, cancellationToken);

    /// <summary>The next message, or null when none came within <paramref name="within"/> (then the socket is no longer usable for reads).</summary>
    private static async Task<JsonObject?> ReceiveAsync(WebSocket socket, CancellationToken cancellationToken, TimeSpan? within = null)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (within is { } w)
        {
            limit.CancelAfter(w);
        }

        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        WebSocketReceiveResult result;
        do
        {
            try
            {
                result = await socket.ReceiveAsync(buffer, limit.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return null;
            }

            Assert.NotEqual(WebSocketMessageType.Close, result.MessageType);
            message.Write(buffer, 0, result.Count);
        }
        while (!result.EndOfMessage);

        return JsonNode.Parse(message.ToArray())!.AsObject();
    }

    private static async Task<int> CloseCodeAsync(WebSocket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return (int)result.CloseStatus!.Value;
            }
        }
    }

    /// <summary>Reads Server-Sent Events: each is its <c>event:</c> name and its <c>data:</c> as JSON (null when empty).</summary>
    private sealed class SseReader(Stream stream) : IDisposable
    {
        private readonly StreamReader _reader = new(stream, Encoding.UTF8);

        public async Task<(string Event, JsonNode? Data)> NextAsync(CancellationToken cancellationToken)
        {
            string? name = null;
            var data = new StringBuilder();
            while (await _reader.ReadLineAsync(cancellationToken) is { } line)
            {
                if (line.Length == 0)
                {
                    if (name is null && data.Length == 0)
                    {
                        continue; // a comment (keep-alive) only
                    }

                    return (name ?? "message", data.Length == 0 ? null : JsonNode.Parse(data.ToString()));
                }

                if (line.StartsWith("event:", StringComparison.Ordinal))
                {
                    name = line[6..].Trim();
                }
                else if (line.StartsWith("data:", StringComparison.Ordinal))
                {
                    data.Append(line[5..].TrimStart());
                }
            }

            throw new EndOfStreamException("The event stream ended.");
        }

        public void Dispose() => _reader.Dispose();
    }
}

/// <summary>The GraphiQL playground: served offline with its assets, under its own Content-Security-Policy.</summary>
public sealed class GraphQLPlaygroundTests : IDisposable
{
    private readonly HeraldApplication _herald = new();

    [Theory]
    [InlineData("/graphql/playground")]
    [InlineData("/graphql")]
    public async Task Page_BrowserAsksForHtml_ServesGraphiQLWithItsAssets(string path)
    {
        using var browser = _herald.CreateClient();
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.ParseAdd("text/html,application/xhtml+xml,*/*;q=0.8");
        var response = await browser.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var policy = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self'", policy, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-eval", policy, StringComparison.Ordinal);
        var html = await response.Content.ReadAsStringAsync();
        var assets = System.Text.RegularExpressions.Regex.Matches(html, "(?:src|href)=\"([^\"]+)\"").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(6, assets.Count);
        Assert.All(assets, a => Assert.StartsWith("/graphql/playground/", a, StringComparison.Ordinal)); // nothing from a CDN
        foreach (var asset in assets.Append("/graphql/playground/LICENSES.txt"))
        {
            var file = await browser.GetAsync(asset);
            Assert.True(file.StatusCode == HttpStatusCode.OK, asset);
            Assert.True((await file.Content.ReadAsByteArrayAsync()).Length > 0, asset);
        }

        Assert.Contains("GraphiQL", await browser.GetStringAsync("/graphql/playground/graphiql.min.js"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await browser.GetAsync("/graphql/playground/nope.js")).StatusCode);
    }

    [Fact]
    public async Task Docs_LinkToThePlayground()
    {
        using var browser = _herald.CreateClient();
        var document = await browser.GetStringAsync("/openapi/v1.json");
        Assert.Contains("](/graphql/playground)", document, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_JsonClientWithoutToken_Is401NotThePage()
    {
        using var client = _herald.CreateClient();
        var request = new HttpRequestMessage(HttpMethod.Get, "/graphql?query=%7B__typename%7D");
        request.Headers.Accept.ParseAdd("application/json");
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(request)).StatusCode);
    }

    public void Dispose() => _herald.Dispose();
}
