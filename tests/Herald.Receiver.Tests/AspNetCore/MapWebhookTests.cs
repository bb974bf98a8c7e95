using System.Collections.Concurrent;
using System.Net;
using Herald.Receiver.AspNetCore;
using Herald.Receiver.Replay;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;

namespace Herald.Receiver.Tests.AspNetCore;

public sealed class MapWebhookTests
{
    private const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    private sealed record InvoicePaid(string Type, int Amount);

    [Fact]
    public async Task VerifiedWebhook_IsBoundAndHandled_DuplicateIsAcknowledgedButNotHandledAgain()
    {
        var handled = new ConcurrentQueue<WebhookDelivery<InvoicePaid>>();
        await using var app = await ReceiverApp.StartAsync(a => a.MapWebhook<InvoicePaid>("/webhooks", Options(), (d, _) =>
        {
            handled.Enqueue(d);
            return Task.CompletedTask;
        }));

        var first = await app.Client.SendAsync(Signed("msg_1", """{"type":"invoice.paid","amount":42}"""));
        var again = await app.Client.SendAsync(Signed("msg_1", """{"type":"invoice.paid","amount":42}"""));

        Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var delivery = Assert.Single(handled);
        Assert.Equal("msg_1", delivery.MessageId);
        Assert.Equal(new InvoicePaid("invoice.paid", 42), delivery.Payload);
    }

    [Fact]
    public async Task DistributedCacheStore_SharedByTwoReceivers_DuplicateAtTheSecondIsNotHandled()
    {
        var cache = new MemoryDistributedCache(Microsoft.Extensions.Options.Options.Create(new MemoryDistributedCacheOptions()));
        var options = new WebhookEndpointOptions { Secrets = [Secret], ReplayStore = new DistributedCacheWebhookReplayStore(cache) };
        var calls = 0;
        Task Handle(WebhookDelivery<InvoicePaid> delivery, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref calls);
            return Task.CompletedTask;
        }

        await using var first = await ReceiverApp.StartAsync(a => a.MapWebhook<InvoicePaid>("/webhooks", options, Handle));
        await using var second = await ReceiverApp.StartAsync(a => a.MapWebhook<InvoicePaid>("/webhooks", options, Handle));

        var atFirst = await first.Client.SendAsync(Signed("msg_d", """{"type":"x","amount":1}"""));
        var atSecond = await second.Client.SendAsync(Signed("msg_d", """{"type":"x","amount":1}"""));

        Assert.Equal(HttpStatusCode.NoContent, atFirst.StatusCode);
        Assert.Equal(HttpStatusCode.OK, atSecond.StatusCode);
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task Failures_AreAnsweredWithStatusAndReason_AndNeverReachTheHandler()
    {
        var calls = 0;
        await using var app = await ReceiverApp.StartAsync(a => a.MapWebhook<InvoicePaid>("/webhooks", Options(), (_, _) =>
        {
            Interlocked.Increment(ref calls);
            return Task.CompletedTask;
        }));

        var tampered = Signed("msg_t", """{"type":"invoice.paid","amount":42}""");
        tampered.Content = new StringContent("""{"type":"invoice.paid","amount":43}""", Encoding.UTF8, "application/json");
        var unsigned = new HttpRequestMessage(HttpMethod.Post, "/webhooks") { Content = new StringContent("{}") };

        var badSignature = await app.Client.SendAsync(tampered);
        var missing = await app.Client.SendAsync(unsigned);
        var unbindable = await app.Client.SendAsync(Signed("msg_u", "[1,2]"));

        Assert.Equal(HttpStatusCode.Unauthorized, badSignature.StatusCode);
        Assert.Contains("NoMatchingSignature", await badSignature.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Contains("webhook-id", await missing.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, unbindable.StatusCode);
        Assert.Equal(0, calls);
    }

    [Fact]
    public async Task CallerOutsideAllowedNetworks_Gets403()
    {
        var options = new WebhookEndpointOptions { Secrets = [Secret], AllowedNetworks = [IPNetwork.Parse("10.0.0.0/8")] };
        await using var app = await ReceiverApp.StartAsync(a => a.MapWebhook<InvoicePaid>("/webhooks", options, (_, _) => Task.CompletedTask));

        var response = await app.Client.SendAsync(Signed("msg_ip", """{"type":"x","amount":1}"""));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task HandlerFailure_ReleasesTheId_SoTheRetryIsProcessed()
    {
        var attempts = 0;
        await using var app = await ReceiverApp.StartAsync(a => a.MapWebhook<InvoicePaid>("/webhooks", Options(), (_, _) =>
            Interlocked.Increment(ref attempts) == 1 ? throw new InvalidOperationException("database down") : Task.CompletedTask));

        var first = await app.Client.SendAsync(Signed("msg_r", """{"type":"x","amount":1}"""));
        var retry = await app.Client.SendAsync(Signed("msg_r", """{"type":"x","amount":1}"""));

        Assert.Equal(HttpStatusCode.InternalServerError, first.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, retry.StatusCode);
        Assert.Equal(2, attempts);
    }

    [Fact]
    public async Task EndpointFilter_OnAnExistingEndpoint_VerifiesAndDedupes()
    {
        var handled = new ConcurrentQueue<string?>();
        await using var app = await ReceiverApp.StartAsync(a => a.MapPost("/existing", (HttpContext context) =>
        {
            handled.Enqueue(context.GetVerifiedWebhook().MessageId);
            return Results.Accepted();
        }).RequireWebhookSignature(Options()));

        var accepted = await app.Client.SendAsync(Signed("msg_f", "{}", "/existing"));
        var duplicate = await app.Client.SendAsync(Signed("msg_f", "{}", "/existing"));
        var forged = Signed("msg_g", "{}", "/existing");
        forged.Headers.Remove("webhook-signature");
        forged.Headers.Add("webhook-signature", "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
        var rejected = await app.Client.SendAsync(forged);

        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        Assert.Equal(HttpStatusCode.OK, duplicate.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, rejected.StatusCode);
        Assert.Equal(["msg_f"], handled);
    }

    private static WebhookEndpointOptions Options() => new() { Secrets = [Secret] };

    private static HttpRequestMessage Signed(string id, string body, string path = "/webhooks")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        foreach (var (name, value) in WebhookScheme.StandardWebhooks.Sign(Secret, id, DateTimeOffset.UtcNow, Encoding.UTF8.GetBytes(body)))
        {
            request.Headers.Add(name, value);
        }

        return request;
    }
}
