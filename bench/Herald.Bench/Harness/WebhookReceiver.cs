using System.Buffers;
using System.Net;
using Herald.Receiver;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Herald.Bench.Harness;

/// <summary>
/// The webhook receiver: a minimal Kestrel app on 127.0.0.1 in this process. Every POST, whoever sends it (Herald, or
/// the ceiling's load generator), gets the same work: read the body, verify the Standard Webhooks signature with
/// Herald.Receiver, note the arrival time and the payload's publish timestamp, answer 204 (400 if it does not verify).
/// </summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly WebhookVerifier _verifier;
    private ArrivalLog _log = new();

    private WebhookReceiver(WebApplication app, string secret)
    {
        _app = app;
        _verifier = new WebhookVerifier(WebhookScheme.StandardWebhooks, secret);
    }

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Starts a receiver; <paramref name="port"/> 0 lets the OS choose one.</summary>
    public static async Task<WebhookReceiver> StartAsync(string secret, int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, port);
            kestrel.AddServerHeader = false;
        });
        var app = builder.Build();
        var receiver = new WebhookReceiver(app, secret);
        app.MapPost("/{**path}", receiver.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.BaseUrl = new Uri(address);
        return receiver;
    }

    public string Url(string path) => new Uri(BaseUrl, path).AbsoluteUri;

    /// <summary>How long the receiver takes to answer after recording an arrival (a slow receiver); none by default.</summary>
    public TimeSpan AddedLatency { get; set; }

    /// <summary>The log requests are recorded in now (a fresh receiver records from its first request).</summary>
    public ArrivalLog Log => Volatile.Read(ref _log);

    /// <summary>Starts a new measurement: requests from now on are recorded in the returned log.</summary>
    public ArrivalLog StartRecording()
    {
        var log = new ArrivalLog();
        Volatile.Write(ref _log, log);
        return log;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var log = Volatile.Read(ref _log);
        if (request.ContentLength is not { } contentLength)
        {
            using var copy = new MemoryStream();
            await request.Body.CopyToAsync(copy, context.RequestAborted);
            request.Body = new MemoryStream(copy.ToArray());
            contentLength = copy.Length;
        }

        var length = (int)contentLength;
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
        try
        {
            await request.Body.ReadExactlyAsync(buffer.AsMemory(0, length), context.RequestAborted);
            var arrivedAt = BenchClock.Now;
            var body = buffer.AsSpan(0, length);
            var result = _verifier.Verify(body, name => request.Headers[name]);
            if (!result.IsVerified)
            {
                log.RecordInvalid();
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                return;
            }

            var publishedAt = BenchPayload.TryRead(body, out var timestamp, out _) ? timestamp : -1;
            log.Record(request.Path.Value ?? "/", result.MessageId!, publishedAt, arrivedAt);
            if (AddedLatency > TimeSpan.Zero)
            {
                await Task.Delay(AddedLatency, context.RequestAborted);
            }

            context.Response.StatusCode = StatusCodes.Status204NoContent;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
