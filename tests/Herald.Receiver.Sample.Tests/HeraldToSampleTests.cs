using System.Collections.Concurrent;
using Herald.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Herald.Receiver.Sample.Tests;

/// <summary>Herald delivers to the sample receiver over real HTTP; the sample verifies with Herald.Receiver.</summary>
public sealed class HeraldToSampleTests
{
    private const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    [Fact]
    public async Task HeraldDelivery_IsVerifiedAndProcessedOnce_AndAReplayedRequestIsNotProcessedAgain()
    {
        var captured = new ConcurrentQueue<(Dictionary<string, string> Headers, byte[] Body, int Status)>();
        await using var receiver = SampleReceiver.Build(["--urls=http://127.0.0.1:0", $"--Webhooks:Secret={Secret}", "--Logging:LogLevel:Default=Warning"]);
        receiver.Use(async (context, next) =>
        {
            // Record exactly what Herald sent, to replay it byte for byte.
            context.Request.EnableBuffering();
            using var copy = new MemoryStream();
            await context.Request.Body.CopyToAsync(copy);
            context.Request.Body.Position = 0;
            await next(context);
            captured.Enqueue((context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString()), copy.ToArray(), context.Response.StatusCode));
        });
        await receiver.StartAsync();
        var receiverUrl = receiver.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        var processed = receiver.Services.GetRequiredService<ProcessedInvoices>();

        using var herald = new HeraldApplication().With("Herald:Delivery:AllowedNetworks:0", "127.0.0.0/8");
        var api = herald.CreateAdminClient();
        (await api.PostAsJsonAsync("/api/v1/app", new JsonObject { ["name"] = "Shop", ["uid"] = "shop" })).EnsureSuccessStatusCode();
        (await api.PostAsJsonAsync("/api/v1/app/shop/endpoint", new JsonObject { ["url"] = receiverUrl + "/webhooks", ["secret"] = Secret })).EnsureSuccessStatusCode();
        // The README walk-through's message, as written there.
        var published = await api.PostAsJsonAsync("/api/v1/app/shop/msg", new JsonObject
        {
            ["eventType"] = "invoice.paid",
            ["eventId"] = "inv_1001_paid",
            ["payload"] = new JsonObject { ["invoiceId"] = "inv_1001", ["amount"] = 4200 },
        });
        Assert.Equal(HttpStatusCode.Accepted, published.StatusCode);
        var messageId = (string)(await published.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;

        var invoice = Assert.Single(await WaitForAsync(processed, count: 1));
        Assert.Equal(new InvoicePaid("inv_1001", 4200) { MessageId = messageId }, invoice);
        var (headers, body, status) = Assert.Single(captured);
        Assert.Equal(StatusCodes.Status204NoContent, status);

        using var replay = new HttpRequestMessage(HttpMethod.Post, receiverUrl + "/webhooks") { Content = new ByteArrayContent(body) };
        foreach (var name in new[] { "webhook-id", "webhook-timestamp", "webhook-signature" })
        {
            replay.Headers.Add(name, headers[name]);
        }

        replay.Content.Headers.ContentType = new("application/json");
        using var client = new HttpClient();
        var replayed = await client.SendAsync(replay);

        Assert.Equal(HttpStatusCode.OK, replayed.StatusCode); // acknowledged as a duplicate, so Herald or an attacker stops there
        Assert.Equal(2, captured.Count);
        await Task.Delay(200); // Give a wrongly queued second event the chance to show up before asserting it did not.
        Assert.Single(processed.Events);
    }

    private static async Task<IReadOnlyCollection<InvoicePaid>> WaitForAsync(ProcessedInvoices processed, int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (processed.Events.Count < count)
        {
            await Task.Delay(50, timeout.Token);
        }

        return processed.Events;
    }
}
