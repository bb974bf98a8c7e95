using System.Text;
using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.Api;

/// <summary>
/// One server with one application and the event type <c>invoice.paid</c>, shared by the tests of a class
/// (which run one after another), for tests that send requests that must change nothing.
/// </summary>
public sealed class OneApplicationFixture : IAsyncLifetime
{
    public HeraldApplication Herald { get; } = new();
    public HttpClient Admin { get; private set; } = null!;
    public string AppId { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Admin = Herald.CreateAdminClient();
        await Admin.CreateEventTypeAsync("invoice.paid");
        AppId = (string)(await Admin.CreateAppAsync("Acme", "acme"))["id"]!;
    }

    /// <summary>Every application, event type, endpoint and message as the admin sees them.</summary>
    public async Task<string> SnapshotAsync()
    {
        var text = new StringBuilder();
        foreach (var url in new[]
        {
            "/api/v1/app?limit=250",
            "/api/v1/event-type?include_archived=true&with_content=true&limit=250",
            $"/api/v1/app/{AppId}/endpoint?limit=250",
            $"/api/v1/app/{AppId}/msg?limit=250",
        })
        {
            var response = await Admin.GetAsync(url);
            text.Append(url).Append(" -> ").Append((int)response.StatusCode).Append(' ').AppendLine(await response.Content.ReadAsStringAsync());
        }

        return text.ToString();
    }

    public Task DisposeAsync()
    {
        Herald.Dispose();
        return Task.CompletedTask;
    }
}
