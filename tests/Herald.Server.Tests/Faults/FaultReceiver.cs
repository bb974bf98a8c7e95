using System.Collections.Concurrent;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Herald.Server.Tests.Faults;

/// <summary>How the receiver answers one request.</summary>
public enum ReceiverAnswer
{
    /// <summary>200 after <see cref="FaultReceiver.OkDelay"/>.</summary>
    Ok,

    /// <summary>500 with a short body.</summary>
    ServerError,

    /// <summary>200 with <c>Content-Length: 100000</c>, 1,000 bytes of it, then a TCP reset (linger 0).</summary>
    ResetMidBody,

    /// <summary>Reads the request and never answers; the sender's timeout must end the try.</summary>
    Hang,

    /// <summary>200 with <c>Content-Length: 2000</c>, one byte every 250 ms: slower than any endpoint timeout.</summary>
    Trickle,
}

/// <summary>One request as the receiver saw it, and what it answered.</summary>
public sealed record ReceivedRequest(string Path, string WebhookId, int Try, DateTimeOffset ArrivedAt, ReceiverAnswer Answer)
{
    /// <summary>Only <see cref="ReceiverAnswer.Ok"/> is a success; every other answer must be logged as a failed attempt.</summary>
    public bool Succeeded => Answer == ReceiverAnswer.Ok;
}

/// <summary>
/// A real receiver for fault runs: Kestrel on 127.0.0.1 that records every request (path, webhook-id, which try of
/// that id at that path, arrival time) and answers as <see cref="Answer"/> decides — including the misbehaviours a
/// network or a broken receiver produces: a reset in the middle of the response body, no answer at all, and an
/// answer trickled slower than any timeout. Kestrel's own minimum data rates are off, so only Herald ends a slow try.
/// </summary>
public sealed class FaultReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedRequest> _received = new();
    private readonly ConcurrentDictionary<(string Path, string Id), int> _tries = new();
    private readonly CancellationTokenSource _stopping = new();

    private FaultReceiver(WebApplication app) => _app = app;

    /// <summary>Chooses the answer from the path, the request body and the try number (1 for the first request of that webhook-id at that path).</summary>
    public Func<string, string, int, ReceiverAnswer> Answer { get; set; } = (_, _, _) => ReceiverAnswer.Ok;

    /// <summary>How long an <see cref="ReceiverAnswer.Ok"/> answer takes, so that sends are in flight when a fault strikes.</summary>
    public TimeSpan OkDelay { get; set; }

    public Uri BaseAddress { get; private set; } = null!;

    public IReadOnlyList<ReceivedRequest> Received => [.. _received];

    public int Count => _received.Count;

    public string Url(string path) => new Uri(BaseAddress, path).ToString();

    public static async Task<FaultReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MinResponseDataRate = null;
            kestrel.Limits.MinRequestBodyDataRate = null;
        });
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new FaultReceiver(app);
        app.Run(receiver.HandleAsync);
        await app.StartAsync();
        receiver.BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return receiver;
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var body = new StreamReader(context.Request.Body);
        var text = await body.ReadToEndAsync();
        var path = context.Request.Path.Value ?? "/";
        var id = context.Request.Headers["webhook-id"].ToString();
        var attempt = _tries.AddOrUpdate((path, id), 1, (_, n) => n + 1);
        var answer = Answer(path, text, attempt);
        _received.Enqueue(new ReceivedRequest(path, id, attempt, DateTimeOffset.UtcNow, answer));
        using var aborted = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
        try
        {
            await AnswerAsync(context, answer, aborted.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // Herald gave up on the try (its timeout) or the receiver is stopping: nothing more to answer.
        }
    }

    private async Task AnswerAsync(HttpContext context, ReceiverAnswer answer, CancellationToken cancellationToken)
    {
        switch (answer)
        {
            case ReceiverAnswer.Ok:
                if (OkDelay > TimeSpan.Zero)
                {
                    await Task.Delay(OkDelay, cancellationToken);
                }

                context.Response.StatusCode = 200;
                return;
            case ReceiverAnswer.ServerError:
                context.Response.StatusCode = 500;
                await context.Response.WriteAsync("receiver failed", cancellationToken);
                return;
            case ReceiverAnswer.ResetMidBody:
                context.Response.StatusCode = 200;
                context.Response.ContentLength = 100_000;
                await context.Response.Body.WriteAsync(new byte[1_000], cancellationToken);
                await context.Response.Body.FlushAsync(cancellationToken);
                // Let the sender read the status line and start on the body first: a reset that arrives with the
                // headers still unread discards them (Linux drops unread data on RST), and the try fails before the body.
                await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
                if (context.Features.Get<IConnectionSocketFeature>()?.Socket is { } socket)
                {
                    socket.LingerState = new LingerOption(true, 0); // Close sends RST, not FIN.
                }

                context.Abort();
                return;
            case ReceiverAnswer.Hang:
                await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
                return;
            case ReceiverAnswer.Trickle:
                context.Response.StatusCode = 200;
                context.Response.ContentLength = 2_000;
                for (var i = 0; i < 2_000; i++)
                {
                    await context.Response.Body.WriteAsync(new byte[] { (byte)'x' }, cancellationToken);
                    await context.Response.Body.FlushAsync(cancellationToken);
                    await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
                }

                return;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _stopping.Dispose();
    }
}
