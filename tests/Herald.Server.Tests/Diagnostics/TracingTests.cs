using System.Collections;
using System.Diagnostics;
using Herald.Server.Tests.Delivery;
using Herald.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using OpenTelemetry.Trace;

namespace Herald.Server.Tests.Diagnostics;

/// <summary>
/// OpenTelemetry traces, captured in memory: a publish, the storage commit and the attempt produce spans; the attempt
/// links to the publish through the traceparent stored with the message; no span carries a token, secret, payload or
/// receiver URL path/query; webhooks carry a traceparent only when asked.
/// </summary>
public sealed class TracingTests : IAsyncLifetime
{
    private const string PayloadSecret = "payload-value-7f3a9c";
    private const string PathSecret = "T01/B02/path-token-5e8d";
    private const string QuerySecret = "query-token-9b1c";

    private readonly SpanList _spans = new();
    private HeraldApplication _herald = null!;
    private WebApplicationFactory<Program> _server = null!;
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await WebhookReceiver.StartAsync();

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _herald.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    private HttpClient Start(bool propagate = false)
    {
        _herald = DeliveryTestKit.LoopbackHerald()
            .With("Herald:Tracing:Enabled", "true")
            .With("Herald:Tracing:PropagateToWebhooks", propagate ? "true" : "false");
        _server = _herald.WithWebHostBuilder(builder => builder.ConfigureTestServices(services =>
            services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(_spans))));
        var client = _server.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", HeraldApplication.AdminToken);
        return client;
    }

    [Fact]
    public async Task PublishAndDelivery_WithTracing_ProduceAnAttemptSpanLinkedToThePublishSpan()
    {
        var client = Start();
        await client.CreateAppAsync("Acme", uid: "acme");
        await client.CreateEndpointAsync("acme", _receiver.Url("/hooks/" + PathSecret + "?token=" + QuerySecret));

        var message = await client.PublishAsync("acme", extra: new JsonObject { ["payload"] = new JsonObject { ["card"] = PayloadSecret } });
        var messageId = (string)message["id"]!;
        var webhook = Assert.Single(await _receiver.WaitForAsync());
        var attempt = await WaitForSpanAsync("herald.delivery.attempt", messageId);

        var publish = Assert.Single(_spans.Snapshot(), s => s.OperationName == "herald.publish" && Tag(s, "herald.message.id") == messageId);
        var link = Assert.Single(attempt.Links);
        Assert.Equal(publish.TraceId, link.Context.TraceId);
        Assert.Equal(publish.SpanId, link.Context.SpanId);
        Assert.NotEqual(publish.TraceId, attempt.TraceId); // a trace of its own (docs/DEPLOYMENT.md "Traces")
        Assert.Equal("success", Tag(attempt, "herald.attempt.outcome"));
        Assert.Contains(_spans.Snapshot(), s => s.OperationName == "herald.storage.commit" && s.TraceId == publish.TraceId);
        Assert.Contains(_spans.Snapshot(), s => s.Kind == ActivityKind.Client && s.TraceId == attempt.TraceId && s.ParentSpanId == attempt.SpanId);
        Assert.False(webhook.Headers.ContainsKey("traceparent"), "webhooks carry no traceparent unless Herald:Tracing:PropagateToWebhooks");
    }

    [Fact]
    public async Task Spans_OfPublishAndDelivery_CarryNoTokenSecretPayloadOrReceiverPath()
    {
        var client = Start();
        await client.CreateAppAsync("Acme", uid: "acme");
        var endpoint = await client.CreateEndpointAsync("acme", _receiver.Url("/hooks/" + PathSecret + "?token=" + QuerySecret));
        var secret = (string)(await client.GetObjectAsync($"/api/v1/app/acme/endpoint/{endpoint["id"]}/secret"))["key"]!;
        var message = await client.PublishAsync("acme", extra: new JsonObject { ["payload"] = new JsonObject { ["card"] = PayloadSecret } });
        await _receiver.WaitForAsync();
        await WaitForSpanAsync("herald.delivery.attempt", (string)message["id"]!);
        await client.GetAsync($"/api/v1/app/acme/msg?token={QuerySecret}"); // a token in a query string

        // Not the test receiver's own server spans: it runs in this process, as Herald's receivers would not.
        var receiverPort = _receiver.BaseAddress.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var values = _spans.Snapshot()
            .Where(s => !(s.Kind == ActivityKind.Server && Tag(s, "server.port") == receiverPort))
            .SelectMany(s => s.TagObjects.Select(t => $"{s.OperationName} {t.Key}={t.Value}")).ToList();

        Assert.NotEmpty(values);
        foreach (var forbidden in (string[])[HeraldApplication.AdminToken, secret, secret["whsec_".Length..], PayloadSecret, PathSecret, QuerySecret])
        {
            var leak = values.FirstOrDefault(v => v.Contains(forbidden, StringComparison.Ordinal));
            Assert.True(leak is null, $"a span tag holds a secret: {leak}");
        }

        // Any bearer credential, not the word: the listener also sees other tests' Herald processes in this one, and a
        // JWT test's metadata request is made by "Microsoft ASP.NET Core JwtBearer handler" (its user agent).
        var credential = values.FirstOrDefault(v => System.Text.RegularExpressions.Regex.IsMatch(v, @"Bearer\s+[A-Za-z0-9._~+/=-]{16,}"));
        Assert.True(credential is null, $"a span tag holds a bearer credential: {credential}");
    }

    [Fact]
    public async Task Webhook_WhenPropagationIsOn_CarriesTheAttemptSpansTraceparent()
    {
        var client = Start(propagate: true);
        await client.CreateAppAsync("Acme", uid: "acme");
        await client.CreateEndpointAsync("acme", _receiver.Url());

        var message = await client.PublishAsync("acme");
        var webhook = Assert.Single(await _receiver.WaitForAsync());
        var attempt = await WaitForSpanAsync("herald.delivery.attempt", (string)message["id"]!);

        Assert.True(ActivityContext.TryParse(webhook.Headers["traceparent"], null, out var context));
        Assert.Equal(attempt.TraceId, context.TraceId);
    }

    private async Task<Activity> WaitForSpanAsync(string name, string messageId)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            if (_spans.Snapshot().FirstOrDefault(s => s.OperationName == name && Tag(s, "herald.message.id") == messageId) is { } span)
            {
                return span;
            }

            await Task.Delay(20, deadline.Token); // polling for an event, with a deadline
        }
    }

    private static string? Tag(Activity span, string key) => span.GetTagItem(key)?.ToString();

    /// <summary>The exporter's collection, safe to read while the server's threads add spans to it.</summary>
    private sealed class SpanList : ICollection<Activity>
    {
        private readonly List<Activity> _items = [];

        public List<Activity> Snapshot()
        {
            lock (_items)
            {
                return [.. _items];
            }
        }

        public int Count => Snapshot().Count;

        public bool IsReadOnly => false;

        public void Add(Activity item)
        {
            lock (_items)
            {
                _items.Add(item);
            }
        }

        public void Clear()
        {
            lock (_items)
            {
                _items.Clear();
            }
        }

        public bool Contains(Activity item) => Snapshot().Contains(item);

        public void CopyTo(Activity[] array, int arrayIndex) => Snapshot().CopyTo(array, arrayIndex);

        public bool Remove(Activity item)
        {
            lock (_items)
            {
                return _items.Remove(item);
            }
        }

        public IEnumerator<Activity> GetEnumerator() => Snapshot().GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
