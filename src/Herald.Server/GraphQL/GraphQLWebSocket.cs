using System.Net.WebSockets;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using GraphQL;
using GraphQL.Transport;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Herald.Server.GraphQL;

/// <summary>
/// GraphQL over WebSocket, the <c>graphql-transport-ws</c> protocol (graphql-ws): <c>connection_init</c> (the token in
/// its payload as <c>Authorization</c>, or in the upgrade request's Authorization header) → <c>connection_ack</c>;
/// <c>ping</c>/<c>pong</c>; <c>subscribe</c> → <c>next</c>… <c>complete</c> or <c>error</c>; <c>complete</c> from the
/// client stops one. Protocol breaches close the socket with the protocol's codes: 4400 bad message, 4401 subscribe
/// before the ack, 4403 refused token, 4408 no <c>connection_init</c> in time, 4409 a subscription id in use,
/// 4429 a second <c>connection_init</c>.
/// </summary>
internal sealed class GraphQLWebSocketEndpoint(
    GraphQLHttpEndpoint http, IGraphQLTextSerializer serializer, SubscriptionConnections connections, IOptions<GraphQLOptions> options,
    TimeProvider time, ILogger<GraphQLWebSocketEndpoint> logger)
{
    public const string SubProtocol = "graphql-transport-ws";

    private GraphQLHttpEndpoint Http { get; } = http;

    private IGraphQLTextSerializer Serializer { get; } = serializer;

    private TimeProvider Time { get; } = time;

    private ILogger Logger { get; } = logger;

    public async Task HandleAsync(HttpContext context)
    {
        var limits = options.Value;
        if (!context.WebSockets.WebSocketRequestedProtocols.Contains(SubProtocol, StringComparer.Ordinal))
        {
            await Api.ApiErrorHandling.WriteAsync(context, StatusCodes.Status400BadRequest, "unsupported_subprotocol",
                $"Ask for the WebSocket subprotocol '{SubProtocol}' (Sec-WebSocket-Protocol).");
            return;
        }

        using var slot = connections.TryEnter();
        if (slot is null)
        {
            GraphQLTransportLog.ConnectionRefused(Logger, "websocket", limits.MaxConnections);
            await Api.ApiErrorHandling.WriteAsync(context, StatusCodes.Status429TooManyRequests, "too_many_connections",
                $"This node holds its most subscription connections ({limits.MaxConnections}); try again later.");
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext { SubProtocol = SubProtocol });
        var session = new Session(this, context, socket, limits);
        try
        {
            await session.RunAsync();
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
            // The client went away.
        }
        catch (Exception e)
        {
            GraphQLTransportLog.WebSocketFailed(Logger, e);
        }
        finally
        {
            session.StopAll();
        }
    }

    /// <summary>
    /// A token from <c>connection_init</c>'s payload, authenticated exactly as a request's Authorization header would be
    /// (a fresh request to the same authentication schemes: stored tokens and OAuth), or null when it is refused.
    /// </summary>
    private static async Task<ClaimsPrincipal?> AuthenticateAsync(HttpContext context, string authorization)
    {
        await using var scope = context.RequestServices.CreateAsyncScope();
        var probe = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        probe.Connection.RemoteIpAddress = context.Connection.RemoteIpAddress;
        probe.Request.Scheme = context.Request.Scheme;
        probe.Request.Host = context.Request.Host;
        probe.Request.Path = context.Request.Path;
        probe.Request.Headers.Authorization = authorization;
        var result = await probe.AuthenticateAsync();
        return result.Succeeded ? result.Principal : null;
    }

    /// <summary>The Authorization value from a <c>connection_init</c> payload: <c>Authorization</c> (any case), or a bare <c>token</c>.</summary>
    private static string? AuthorizationFrom(JsonObject? payload)
    {
        if (payload is null)
        {
            return null;
        }

        foreach (var (key, value) in payload)
        {
            if (key.Equals("Authorization", StringComparison.OrdinalIgnoreCase) && value is JsonValue v && v.TryGetValue<string>(out var header))
            {
                return header;
            }

            if (key.Equals("token", StringComparison.OrdinalIgnoreCase) && value is JsonValue t && t.TryGetValue<string>(out var token))
            {
                return token.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? token : "Bearer " + token;
            }
        }

        return payload["headers"] as JsonObject is { } headers ? AuthorizationFrom(headers) : null;
    }

    private sealed class Session(GraphQLWebSocketEndpoint owner, HttpContext context, WebSocket socket, GraphQLOptions limits)
    {
        private readonly Channel<string> _outgoing = Channel.CreateBounded<string>(new BoundedChannelOptions(ResultStream.MaxPending) { SingleReader = true });
        private readonly Dictionary<string, CancellationTokenSource> _subscriptions = new(StringComparer.Ordinal);
        private readonly Lock _lock = new();
        private readonly CancellationTokenSource _closing = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        private ClaimsPrincipal? _user;
        private bool _initReceived;
        private DateTimeOffset _idleSince;
        private readonly SemaphoreSlim _send = new(1, 1);
        private volatile bool _closed;

        private CancellationToken Closing => _closing.Token;

        public async Task RunAsync()
        {
            _idleSince = owner.Time.GetUtcNow();
            var writer = WriteLoopAsync();
            var watchdog = WatchdogAsync();
            try
            {
                await ReadLoopAsync();
            }
            finally
            {
                _outgoing.Writer.TryComplete();
                await _closing.CancelAsync();
                await writer.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                await watchdog.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }

        public void StopAll()
        {
            lock (_lock)
            {
                foreach (var subscription in _subscriptions.Values)
                {
                    subscription.Cancel();
                }

                _subscriptions.Clear();
            }
        }

        private async Task ReadLoopAsync()
        {
            var buffer = new byte[8 * 1024];
            using var message = new MemoryStream();
            while (!_closed)
            {
                message.SetLength(0);
                WebSocketReceiveResult received;
                do
                {
                    received = await socket.ReceiveAsync(buffer, context.RequestAborted);
                    if (received.MessageType == WebSocketMessageType.Close)
                    {
                        await CloseAsync((int)WebSocketCloseStatus.NormalClosure, "");
                        return;
                    }

                    if (message.Length + received.Count > limits.MaxRequestBytes)
                    {
                        await CloseAsync(4400, "Message too large");
                        return;
                    }

                    message.Write(buffer, 0, received.Count);
                }
                while (!received.EndOfMessage);

                if (received.MessageType != WebSocketMessageType.Text)
                {
                    await CloseAsync(4400, "Messages are JSON text");
                    return;
                }

                await HandleAsync(Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length));
            }
        }

        private async Task HandleAsync(string text)
        {
            JsonObject? message;
            try
            {
                message = JsonNode.Parse(text) as JsonObject;
            }
            catch (JsonException)
            {
                message = null;
            }

            var type = message?["type"] is JsonValue t && t.TryGetValue<string>(out var s) ? s : null;
            var id = message?["id"] is JsonValue i && i.TryGetValue<string>(out var d) ? d : null;
            switch (type)
            {
                case "connection_init":
                    await InitAsync(message!["payload"] as JsonObject);
                    break;
                case "ping":
                    Send(new JsonObject { ["type"] = "pong" });
                    break;
                case "pong":
                    break;
                case "subscribe" when !string.IsNullOrEmpty(id):
                    await SubscribeAsync(id, message!["payload"]);
                    break;
                case "complete" when !string.IsNullOrEmpty(id):
                    Stop(id);
                    break;
                default:
                    await CloseAsync(4400, type is null ? "Invalid message" : $"Invalid message of type '{type}'");
                    break;
            }
        }

        private async Task InitAsync(JsonObject? payload)
        {
            if (_initReceived)
            {
                await CloseAsync(4429, "Too many initialisation requests");
                return;
            }

            _initReceived = true;
            var authorization = AuthorizationFrom(payload);
            var user = authorization is not null
                ? await AuthenticateAsync(context, authorization)
                : context.User.Identity?.IsAuthenticated == true ? context.User : null;
            if (user is null)
            {
                await CloseAsync(4403, authorization is null ? "Forbidden: send the token as connection_init's payload.Authorization" : "Forbidden: the token is invalid or expired");
                return;
            }

            _user = user;
            Send(new JsonObject { ["type"] = "connection_ack" });
        }

        private async Task SubscribeAsync(string id, JsonNode? payload)
        {
            if (_user is null)
            {
                await CloseAsync(4401, "Unauthorized");
                return;
            }

            GraphQLRequest? request = null;
            try
            {
                request = payload is JsonObject ? owner.Serializer.Deserialize<GraphQLRequest>(payload.ToJsonString()) : null;
            }
            catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or NotSupportedException)
            {
            }

            if (request is null || string.IsNullOrWhiteSpace(request.Query))
            {
                await CloseAsync(4400, "Invalid subscribe message: its payload needs a query");
                return;
            }

            var cancel = CancellationTokenSource.CreateLinkedTokenSource(Closing);
            bool duplicate;
            lock (_lock)
            {
                duplicate = _subscriptions.ContainsKey(id);
            }

            if (duplicate)
            {
                cancel.Dispose();
                await CloseAsync(4409, $"Subscriber for {id} already exists");
                return;
            }

            lock (_lock)
            {

                if (_subscriptions.Count >= limits.MaxSubscriptionsPerConnection)
                {
                    cancel.Dispose();
                    SendErrors(id, [new ExecutionError($"A connection may run at most {limits.MaxSubscriptionsPerConnection} subscriptions at once.") { Code = "TOO_MANY_SUBSCRIPTIONS" }]);
                    return;
                }

                _subscriptions[id] = cancel;
            }

            _ = RunSubscriptionAsync(id, request, cancel);
        }

        private async Task RunSubscriptionAsync(string id, GraphQLRequest request, CancellationTokenSource cancel)
        {
            try
            {
                var result = await owner.Http.ExecuteAsync(_user!, context.RequestServices, request, null, cancel.Token);
                if (!result.Executed && result.Errors is { Count: > 0 } errors)
                {
                    SendErrors(id, errors);
                    return;
                }

                await foreach (var next in ResultStream.ReadAsync(result, Timeout.InfiniteTimeSpan, owner.Time, cancel.Token))
                {
                    if (next is not null)
                    {
                        Send($$"""{"type":"next","id":{{JsonSerializer.Serialize(id)}},"payload":{{owner.Serializer.Serialize(next)}}}""");
                    }
                }

                if (!cancel.IsCancellationRequested)
                {
                    Send(new JsonObject { ["type"] = "complete", ["id"] = id });
                }
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested)
            {
                // Completed by the client, or the connection closed.
            }
            catch (Exception e)
            {
                GraphQLTransportLog.SubscriptionFailed(owner.Logger, e);
                SendErrors(id, [new ExecutionError("The subscription failed.") { Code = "SUBSCRIPTION_ENDED" }]);
            }
            finally
            {
                Forget(id, cancel);
            }
        }

        private void Stop(string id)
        {
            lock (_lock)
            {
                if (_subscriptions.Remove(id, out var cancel))
                {
                    cancel.Cancel();
                    MarkIdleIfNone();
                }
            }
        }

        private void Forget(string id, CancellationTokenSource cancel)
        {
            lock (_lock)
            {
                if (_subscriptions.TryGetValue(id, out var current) && current == cancel)
                {
                    _subscriptions.Remove(id);
                    MarkIdleIfNone();
                }
            }

            cancel.Dispose();
        }

        private void MarkIdleIfNone()
        {
            if (_subscriptions.Count == 0)
            {
                _idleSince = owner.Time.GetUtcNow();
            }
        }

        private void SendErrors(string id, IEnumerable<ExecutionError> errors) =>
            Send($$"""{"type":"error","id":{{JsonSerializer.Serialize(id)}},"payload":{{owner.Serializer.Serialize(new ExecutionResult { Errors = [.. errors] }.Errors)}}}""");

        private void Send(JsonObject message) => Send(message.ToJsonString());

        private void Send(string message)
        {
            if (!_outgoing.Writer.TryWrite(message) && !_closed)
            {
                // The client reads slower than its subscriptions produce: the protocol has no code for that; 1008 (policy).
                _ = CloseAsync((int)WebSocketCloseStatus.PolicyViolation, "The client fell too far behind");
            }
        }

        /// <summary>Stops every subscription and sends the close frame (once); the read loop then ends.</summary>
        private async Task CloseAsync(int code, string reason)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
            await _closing.CancelAsync();
            await _send.WaitAsync(context.RequestAborted);
            try
            {
                if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                {
                    await socket.CloseOutputAsync((WebSocketCloseStatus)code, reason, context.RequestAborted);
                }
            }
            finally
            {
                _send.Release();
            }
        }

        private async Task WriteLoopAsync()
        {
            await foreach (var message in _outgoing.Reader.ReadAllAsync(Closing))
            {
                await _send.WaitAsync(context.RequestAborted);
                try
                {
                    if (socket.State == WebSocketState.Open && !_closed)
                    {
                        await socket.SendAsync(Encoding.UTF8.GetBytes(message), WebSocketMessageType.Text, endOfMessage: true, context.RequestAborted);
                    }
                }
                finally
                {
                    _send.Release();
                }
            }
        }

        /// <summary>Closes a socket that never sent connection_init in time (4408) or has run nothing for the idle timeout; pings the others.</summary>
        private async Task WatchdogAsync()
        {
            var started = owner.Time.GetUtcNow();
            var tick = TimeSpan.FromTicks(Math.Min(limits.KeepAliveInterval.Ticks, limits.ConnectionInitTimeout.Ticks));
            while (!Closing.IsCancellationRequested)
            {
                await Task.Delay(tick, owner.Time, Closing);
                var now = owner.Time.GetUtcNow();
                if (!_initReceived && now - started >= limits.ConnectionInitTimeout)
                {
                    await CloseAsync(4408, "Connection initialisation timeout");
                    return;
                }

                bool idle;
                lock (_lock)
                {
                    idle = _subscriptions.Count == 0 && now - _idleSince >= limits.IdleTimeout;
                }

                if (idle)
                {
                    await CloseAsync((int)WebSocketCloseStatus.NormalClosure, "Idle");
                    return;
                }

                if (_user is not null)
                {
                    Send(new JsonObject { ["type"] = "ping" });
                }
            }
        }
    }
}
