using Herald.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Herald.Server.Tests.Auth;

/// <summary>
/// Herald trusting an external OpenID Connect issuer: here a second Herald on Kestrel (127.0.0.1), which is an issuer
/// in its own right (discovery document, JWKS, client-credentials grant). The trusting Herald fetches the issuer's
/// discovery document and keys over real HTTP, checks the audience and maps the issuer's scopes to its own.
/// </summary>
public sealed class OAuthOidcTests : IDisposable
{
    private const string Secret = "partner-secret-0123456789abcdefgh";
    private const string Audience = "https://herald-b.example";

    // Another installation, so another main key (and signing key) than the trusting Herald's: on PostgreSQL every test
    // server gets TestMainKeys.A, and a token signed with the trusting node's own key is taken as its own.
    private readonly HeraldApplication _issuer = new HeraldApplication()
        .With("Herald:Secrets:MainKey", Secrets.TestMainKeys.B)
        .With("Herald:Auth:OAuth:Audience", Audience)
        .WithOAuthClient(0, "partner", Secret, "admin");

    private readonly HttpClient _issuerHttp;
    private readonly List<HeraldApplication> _trusting = [];

    public OAuthOidcTests()
    {
        _issuer.UseKestrel(0);
        _issuer.StartServer();
        var address = _issuer.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _issuerHttp = new HttpClient { BaseAddress = new Uri(address) };
    }

    public void Dispose()
    {
        foreach (var herald in _trusting)
        {
            herald.Dispose();
        }

        _issuerHttp.Dispose();
        _issuer.Dispose();
    }

    /// <summary>A Herald that trusts the issuer for <paramref name="audience"/>, its "admin" scope giving read-only admin.</summary>
    private HttpClient Trusting(string token, string audience = Audience)
    {
        var herald = new HeraldApplication()
            .With("Herald:Auth:Oidc:Authority", _issuerHttp.BaseAddress!.ToString())
            .With("Herald:Auth:Oidc:Audience", audience)
            .With("Herald:Auth:Oidc:Scopes:0:External", "admin")
            .With("Herald:Auth:Oidc:Scopes:0:Herald", "admin:read");
        _trusting.Add(herald);
        return herald.CreateClient(token);
    }

    [Fact]
    public async Task ExternalToken_WithMappedScope_ReadsButCannotWrite()
    {
        var api = Trusting(await _issuerHttp.GetTokenAsync("partner", Secret));

        await (await api.GetAsync("/api/v1/app")).ReadObjectAsync(HttpStatusCode.OK);
        await (await api.PostJsonAsync("/api/v1/app", """{"name":"New"}""")).AssertErrorAsync(HttpStatusCode.Forbidden, "read_only_token");
    }

    [Fact]
    public async Task ExternalToken_ForAnotherAudience_Returns401()
    {
        var api = Trusting(await _issuerHttp.GetTokenAsync("partner", Secret), audience: "https://someone-else.example");

        await (await api.GetAsync("/api/v1/app")).AssertErrorAsync(HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task ExternalToken_WithoutMappedScope_Returns401()
    {
        var api = Trusting(await _issuerHttp.GetTokenAsync("partner", Secret, "admin:read"));

        await (await api.GetAsync("/api/v1/app")).AssertErrorAsync(HttpStatusCode.Unauthorized, "unauthorized");
    }
}
