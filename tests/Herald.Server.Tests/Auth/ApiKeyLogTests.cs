using Herald.Server.Tests.Delivery;
using Herald.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;

namespace Herald.Server.Tests.Auth;

/// <summary>No token reaches the logs, at any level: not when keys and portal tokens are made, used, refused or ended.</summary>
public sealed class ApiKeyLogTests : IDisposable
{
    private readonly HeraldApplication _herald = new();
    private readonly CapturedLogs _logs = new();
    private readonly WebApplicationFactory<Program> _server;

    public ApiKeyLogTests() => _server = _herald.WithWebHostBuilder(builder =>
        builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(_logs)));

    public void Dispose()
    {
        _server.Dispose();
        _herald.Dispose();
    }

    private HttpClient Client(string? token)
    {
        var client = _server.CreateClient();
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    [Fact]
    public async Task KeysAndPortalTokens_MadeUsedRefusedAndEnded_NeverAppearInTheLogs()
    {
        var admin = Client(HeraldApplication.AdminToken);
        var app = await admin.CreateAppAsync("Acme", "acme");
        var key = await (await admin.PostJsonAsync("/api/v1/auth/api-key", """{"name":"ci","scopes":["admin"]}""", "k1")).ReadObjectAsync(HttpStatusCode.Created);
        var id = (string)key["id"]!;
        var rotated = await (await admin.PostJsonAsync($"/api/v1/auth/api-key/{id}/rotate", """{"expiry":60}""")).ReadObjectAsync(HttpStatusCode.OK);
        var portal = await (await admin.PostJsonAsync($"/api/v1/auth/app-portal-access/{app["id"]}", "{}", "p1")).ReadObjectAsync(HttpStatusCode.OK);
        string[] secrets = [HeraldApplication.AdminToken, (string)key["key"]!, (string)rotated["key"]!, (string)portal["token"]!];

        await Client((string)key["key"]!).GetAsync("/api/v1/app");
        await Client((string)rotated["key"]!).GetAsync("/api/v1/app");
        Assert.Equal(HttpStatusCode.NoContent, (await Client((string)portal["token"]!).PostAsync("/api/v1/auth/logout", null)).StatusCode);
        await Client((string)portal["token"]!).GetAsync($"/api/v1/app/{app["id"]}");
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/v1/auth/api-key/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Client((string)rotated["key"]!).GetAsync("/api/v1/app")).StatusCode);
        await Client("herald_sk_not_a_token_but_looks_like_one_0123").GetAsync("/api/v1/app");

        Assert.NotEmpty(_logs.Entries); // the refusals above are logged, at Information or Debug
        foreach (var entry in _logs.Entries)
        {
            var text = entry.Message + entry.Exception;
            Assert.DoesNotContain(secrets, s => text.Contains(s[14..], StringComparison.Ordinal));
            Assert.DoesNotContain("looks_like_one", text, StringComparison.Ordinal);
        }
    }
}
