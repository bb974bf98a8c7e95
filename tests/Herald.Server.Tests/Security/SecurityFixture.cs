using System.Text;
using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.Security;

/// <summary>
/// One server with an application (<c>acme</c>), an event type (<c>invoice.paid</c>), an endpoint (<c>hook</c>, disabled
/// so nothing is ever sent) and a polling endpoint (<c>sink</c>): every identifier field has a route to be sent to.
/// </summary>
public sealed class SecurityFixture : IAsyncLifetime
{
    public HeraldApplication Herald { get; } = new();
    public HttpClient Admin { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Admin = Herald.CreateAdminClient();
        await Admin.CreateEventTypeAsync("invoice.paid");
        await Admin.CreateAppAsync("Acme", "acme");
        await Admin.CreateEndpointAsync("acme", extra: new JsonObject { ["uid"] = "hook", ["disabled"] = true });
        await (await Admin.PostAsJsonAsync("/api/v1/app/acme/destination", new { type = "pollingEndpoint", uid = "sink" })).ReadObjectAsync(HttpStatusCode.Created);
    }

    /// <summary>What the admin can see of everything stored: applications, event types, endpoints and their headers, messages, polling endpoints.</summary>
    public async Task<string> SnapshotAsync()
    {
        var text = new StringBuilder();
        foreach (var url in new[]
        {
            "/api/v1/app?limit=250",
            "/api/v1/event-type?include_archived=true&with_content=true&limit=250",
            "/api/v1/app/acme/endpoint?limit=250",
            "/api/v1/app/acme/endpoint/hook/headers",
            "/api/v1/app/acme/msg?limit=250&with_content=true",
            "/api/v1/app/acme/destination?limit=250",
        })
        {
            var response = await Admin.GetAsync(url);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"{url} answered {(int)response.StatusCode}: {body}");
            JsonNode.Parse(body); // every list stays valid JSON
            text.Append(url).Append(" -> ").AppendLine(body);
        }

        return text.ToString();
    }

    public Task DisposeAsync()
    {
        Admin.Dispose();
        Herald.Dispose();
        return Task.CompletedTask;
    }
}
