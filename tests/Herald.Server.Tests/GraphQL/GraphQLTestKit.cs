using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Reflection;
using System.Runtime.ExceptionServices;
using Herald.Server.Storage;
using Herald.Server.Tests.Delivery;
using Herald.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Herald.Server.Tests.GraphQL;

/// <summary>Posting GraphQL requests and reading their answers.</summary>
internal static class GraphQLTestKit
{
    public const string ResponseType = "application/graphql-response+json";

    public static async Task<HttpResponseMessage> SendGraphQLAsync(this HttpClient client, string query, JsonObject? variables = null, string accept = ResponseType)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/graphql")
        {
            Content = new StringContent(new JsonObject { ["query"] = query, ["variables"] = variables?.DeepClone() }.ToJsonString(), System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));
        return await client.SendAsync(request);
    }

    /// <summary>Runs the query and returns its <c>data</c>, failing on any error.</summary>
    public static async Task<JsonObject> QueryAsync(this HttpClient client, string query, JsonObject? variables = null)
    {
        var body = await (await client.SendGraphQLAsync(query, variables)).ReadObjectAsync(HttpStatusCode.OK);
        Assert.True(body["errors"] is null, "GraphQL errors: " + body["errors"]?.ToJsonString());
        return body["data"]!.AsObject();
    }

    /// <summary>Runs the request and returns the first error's <c>extensions.code</c>.</summary>
    public static async Task<string?> ErrorCodeAsync(this HttpClient client, string query, JsonObject? variables = null, HttpStatusCode status = HttpStatusCode.OK)
    {
        var body = await (await client.SendGraphQLAsync(query, variables)).ReadObjectAsync(status);
        var errors = Assert.IsType<JsonArray>(body["errors"]);
        Assert.False(string.IsNullOrWhiteSpace((string?)errors[0]!["message"]), "an error must say what was wrong");
        return (string?)errors[0]!["extensions"]?["code"];
    }
}

/// <summary>
/// Herald on loopback with its store wrapped to count calls by method name, and one application with three endpoints
/// (a real receiver behind them) and four messages delivered to each: twelve attempts. Another application beside it.
/// </summary>
public sealed class GraphQLFixture : IAsyncLifetime
{
    public HeraldApplication Herald { get; } = DeliveryTestKit.LoopbackHerald();

    public WebApplicationFactory<Program> Factory { get; private set; } = null!;

    public ConcurrentDictionary<string, int> StoreCalls { get; } = new(StringComparer.Ordinal);

    public HttpClient Admin { get; private set; } = null!;

    public WebhookReceiver Receiver { get; private set; } = null!;

    public string AppId { get; private set; } = "";

    public string OtherAppId { get; private set; } = "";

    public List<string> EndpointIds { get; } = [];

    public List<string> MessageIds { get; } = [];

    public async Task InitializeAsync()
    {
        Factory = Herald.WithWebHostBuilder(b => b.ConfigureTestServices(services =>
        {
            var original = services.Last(d => d.ServiceType == typeof(IHeraldStore));
            services.Add(ServiceDescriptor.Singleton<IHeraldStore>(sp => CountingStore.Wrap((IHeraldStore)original.ImplementationFactory!(sp), StoreCalls)));
        }));
        Admin = Factory.CreateClient();
        Admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", HeraldApplication.AdminToken);
        Receiver = await WebhookReceiver.StartAsync();
        AppId = (string)(await Admin.CreateAppAsync("Shop", "shop"))["id"]!;
        OtherAppId = (string)(await Admin.CreateAppAsync("Other", "other"))["id"]!;
        await Admin.CreateEventTypeAsync("invoice.paid");
        await Admin.CreateEventTypeAsync("invoice.failed");
        for (var i = 0; i < 3; i++)
        {
            EndpointIds.Add((string)(await Admin.CreateEndpointAsync(AppId, Receiver.Url($"/ep{i}")))["id"]!);
        }

        for (var i = 0; i < 4; i++)
        {
            var extra = new JsonObject { ["channels"] = new JsonArray(i % 2 == 0 ? "eu" : "us") };
            MessageIds.Add((string)(await Admin.PublishAsync(AppId, i == 3 ? "invoice.failed" : "invoice.paid", extra))["id"]!);
        }

        await Receiver.WaitForAsync(12);
        foreach (var message in MessageIds)
        {
            await Admin.WaitForAttemptsAsync(AppId, message, 3);
        }
    }

    public HttpClient CreateClient(string? token)
    {
        var client = Factory.CreateClient();
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    public async Task DisposeAsync()
    {
        await Receiver.DisposeAsync();
        await Factory.DisposeAsync();
        Herald.Dispose();
    }
}

/// <summary>An <see cref="IHeraldStore"/> that counts its calls by method name and passes them on.</summary>
public class CountingStore : DispatchProxy
{
    private IHeraldStore _inner = null!;
    private ConcurrentDictionary<string, int> _calls = null!;

    internal static IHeraldStore Wrap(IHeraldStore inner, ConcurrentDictionary<string, int> calls)
    {
        var proxy = Create<IHeraldStore, CountingStore>();
        var counting = (CountingStore)(object)proxy;
        counting._inner = inner;
        counting._calls = calls;
        return proxy;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        _calls.AddOrUpdate(targetMethod!.Name, 1, (_, n) => n + 1);
        if (args is [string scope, ..])
        {
            // Also per first argument (an application id for most methods), so a test can tell its own calls from
            // the background's (operational webhooks list the operator's endpoints).
            _calls.AddOrUpdate($"{targetMethod.Name}:{scope}", 1, (_, n) => n + 1);
        }

        try
        {
            return targetMethod.Invoke(_inner, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            ExceptionDispatchInfo.Throw(e.InnerException);
            throw;
        }
    }
}
