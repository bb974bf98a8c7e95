using System.Net.Http.Headers;
using System.Text;
using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.Auth;

/// <summary>Configures OAuth clients on a test server and asks it for tokens the way an OAuth client library does.</summary>
internal static class OAuthClient
{
    public static HeraldApplication WithOAuthClient(this HeraldApplication herald, int index, string clientId, string secret, params string[] scopes)
    {
        herald.With($"Herald:Auth:OAuth:Clients:{index}:ClientId", clientId).With($"Herald:Auth:OAuth:Clients:{index}:Secret", secret);
        for (var i = 0; i < scopes.Length; i++)
        {
            herald.With($"Herald:Auth:OAuth:Clients:{index}:Scopes:{i}", scopes[i]);
        }

        return herald;
    }

    /// <summary>POST /oauth/token with client_credentials; the client authenticates with HTTP Basic (or form fields with <paramref name="basic"/> false).</summary>
    public static async Task<HttpResponseMessage> RequestTokenAsync(
        this HttpClient http, string clientId, string secret, string? scope = null, bool basic = true, string grantType = "client_credentials")
    {
        var fields = new Dictionary<string, string> { ["grant_type"] = grantType };
        if (scope is not null)
        {
            fields["scope"] = scope;
        }

        if (!basic)
        {
            fields["client_id"] = clientId;
            fields["client_secret"] = secret;
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, "/oauth/token") { Content = new FormUrlEncodedContent(fields) };
        if (basic)
        {
            var pair = Uri.EscapeDataString(clientId) + ":" + Uri.EscapeDataString(secret);
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(pair)));
        }

        return await http.SendAsync(request);
    }

    public static async Task<string> GetTokenAsync(this HttpClient http, string clientId, string secret, string? scope = null)
    {
        var body = await (await http.RequestTokenAsync(clientId, secret, scope)).ReadObjectAsync(HttpStatusCode.OK);
        return (string)body["access_token"]!;
    }

    public static HttpClient WithBearer(this HttpClient http, string token)
    {
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    public static async Task AssertOAuthErrorAsync(this HttpResponseMessage response, HttpStatusCode status, string error)
    {
        var body = await response.ReadObjectAsync(status);
        Assert.Equal(error, (string?)body["error"]);
        Assert.False(string.IsNullOrWhiteSpace((string?)body["error_description"]), "error_description must say what was wrong");
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
    }
}
