using System.Net.Http.Headers;
using System.Text;
using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.Auth;

/// <summary>What a test needs to name one application's objects: by id and by uid.</summary>
public sealed record Tenant(string Id, string Uid, string EndpointId, string EndpointUid, string MessageId, string EventId);

/// <summary>
/// One server with two applications, A and B, each with an endpoint (with a custom header) and a message,
/// and an app-portal token for A. Shared by the tests of a class, which run one after another.
/// </summary>
public sealed class TwoApplicationsFixture : IAsyncLifetime
{
    public const string EventType = "invoice.paid";

    public HeraldApplication Herald { get; } = new();
    public HttpClient Admin { get; private set; } = null!;
    public HttpClient AppA { get; private set; } = null!;
    public Tenant A { get; private set; } = null!;
    public Tenant B { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Admin = Herald.CreateAdminClient();
        await Admin.CreateEventTypeAsync(EventType);
        A = await CreateTenantAsync("tenant-a");
        B = await CreateTenantAsync("tenant-b");
        var access = await (await Admin.PostJsonAsync($"/api/v1/auth/app-portal-access/{A.Id}", "{}")).ReadObjectAsync(HttpStatusCode.OK);
        AppA = Herald.CreateClient((string)access["token"]!);
    }

    private async Task<Tenant> CreateTenantAsync(string uid)
    {
        var app = await Admin.CreateAppAsync(uid.ToUpperInvariant(), uid);
        var appId = (string)app["id"]!;
        var endpoint = await Admin.CreateEndpointAsync(appId, $"https://{uid}.example.com/hooks",
            new JsonObject { ["uid"] = $"{uid}-ep", ["headers"] = new JsonObject { ["X-Tenant"] = uid } });
        var message = await Admin.PublishAsync(appId, EventType, new JsonObject { ["eventId"] = $"{uid}-evt-1" });
        return new Tenant(appId, uid, (string)endpoint["id"]!, $"{uid}-ep", (string)message["id"]!, $"{uid}-evt-1");
    }

    /// <summary>
    /// Everything an admin can read about both applications and the event types, as one string: equal
    /// snapshots before and after a request mean the request changed nothing.
    /// </summary>
    public async Task<string> SnapshotAsync()
    {
        var text = new StringBuilder();
        List<string> urls = ["/api/v1/app?limit=250", "/api/v1/event-type?include_archived=true&with_content=true"];
        foreach (var t in new[] { A, B })
        {
            urls.AddRange(
            [
                $"/api/v1/app/{t.Id}",
                $"/api/v1/app/{t.Id}/endpoint?limit=250",
                $"/api/v1/app/{t.Id}/endpoint/{t.EndpointId}/secret",
                $"/api/v1/app/{t.Id}/endpoint/{t.EndpointId}/headers",
                $"/api/v1/app/{t.Id}/msg?limit=250",
            ]);
        }

        foreach (var url in urls)
        {
            var response = await Admin.GetAsync(url);
            text.Append(url).Append(" -> ").Append((int)response.StatusCode).Append(' ').AppendLine(await response.Content.ReadAsStringAsync());
        }

        return text.ToString();
    }

    /// <summary>Sends <paramref name="body"/> (JSON, or nothing when null) with this method.</summary>
    public static Task<HttpResponseMessage> SendAsync(HttpClient client, string method, string url, string? body)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), url);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
        }

        return client.SendAsync(request);
    }

    public Task DisposeAsync()
    {
        Herald.Dispose();
        return Task.CompletedTask;
    }
}
