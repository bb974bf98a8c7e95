using System.Net.Http.Headers;
using Herald.Server.Tests.Infrastructure;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Herald.Server.Tests.Auth;

/// <summary>The client-credentials grant over real HTTP (Kestrel on loopback): token request, then the API with the token.</summary>
public sealed class OAuthTokenTests : IDisposable
{
    private const string AdminSecret = "ops-secret-0123456789abcdefghij";
    private const string ReaderSecret = "reader-secret-0123456789abcdefgh";

    private readonly HeraldApplication _herald = new HeraldApplication().WithFakeTime()
        .WithOAuthClient(0, "ops", AdminSecret, "admin")
        .WithOAuthClient(1, "reader", ReaderSecret, "admin:read");

    public OAuthTokenTests()
    {
        _herald.UseKestrel(0);
        _herald.StartServer();
    }

    public void Dispose() => _herald.Dispose();

    private HttpClient Client(string? token = null) => token is null ? _herald.CreateClient() : _herald.CreateClient().WithBearer(token);

    [Fact]
    public async Task ClientCredentials_TokenFromBasicAuth_CallsTheApiAsAdmin()
    {
        var response = await Client().RequestTokenAsync("ops", AdminSecret);

        var body = await response.ReadObjectAsync(HttpStatusCode.OK);
        Assert.Equal("Bearer", (string?)body["token_type"]);
        Assert.Equal(600, (long)body["expires_in"]!);
        Assert.Equal("admin", (string?)body["scope"]);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        var api = Client((string)body["access_token"]!);
        var app = await api.CreateAppAsync("Acme", "acme");
        var seen = await (await api.GetAsync($"/api/v1/app/{app["id"]}")).ReadObjectAsync(HttpStatusCode.OK);
        Assert.Equal("acme", (string?)seen["uid"]);
    }

    [Fact]
    public async Task ClientCredentials_FormFieldAuth_IssuesSignedJwtThatJwksVerifies()
    {
        var body = await (await Client().RequestTokenAsync("ops", AdminSecret, basic: false)).ReadObjectAsync(HttpStatusCode.OK);
        var jwt = new JsonWebToken((string)body["access_token"]!);

        var discovery = await (await Client().GetAsync("/.well-known/openid-configuration")).ReadObjectAsync(HttpStatusCode.OK);
        var jwks = await (await Client().GetAsync(new Uri((string)discovery["jwks_uri"]!))).ReadObjectAsync(HttpStatusCode.OK);
        Assert.Equal((string?)discovery["issuer"], jwt.Issuer);
        Assert.Equal((string?)discovery["issuer"] + "/oauth/token", (string?)discovery["token_endpoint"]);
        Assert.Equal("ES256", jwt.Alg);
        Assert.Equal("at+jwt", jwt.Typ);
        Assert.Equal("ops", jwt.Subject);
        var key = Assert.Single(jwks["keys"]!.AsArray());
        Assert.Equal(jwt.Kid, (string?)key!["kid"]);
        Assert.Null(key["d"]);
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(jwt.EncodedToken, new Microsoft.IdentityModel.Tokens.TokenValidationParameters
        {
            IssuerSigningKey = new Microsoft.IdentityModel.Tokens.JsonWebKey(key.ToJsonString()),
            ValidIssuer = jwt.Issuer,
            ValidAudience = "herald",
            ValidateLifetime = false,
        });
        Assert.True(result.IsValid, result.Exception?.Message);
    }

    [Theory]
    [InlineData("ops", "wrong-secret-0123456789abcdefghij")]
    [InlineData("nobody", AdminSecret)]
    public async Task ClientCredentials_WrongSecretOrUnknownClient_Returns401InvalidClient(string clientId, string secret)
    {
        var basic = await Client().RequestTokenAsync(clientId, secret);
        await basic.AssertOAuthErrorAsync(HttpStatusCode.Unauthorized, "invalid_client");
        Assert.Equal("Basic", basic.Headers.WwwAuthenticate.Single().Scheme);

        await (await Client().RequestTokenAsync(clientId, secret, basic: false)).AssertOAuthErrorAsync(HttpStatusCode.Unauthorized, "invalid_client");
    }

    [Theory]
    [InlineData("admin")]
    [InlineData("app:app_2zY4fM1bXbB5h6d7k8m9n0p1qR")]
    [InlineData("admin:read app:app_2zY4fM1bXbB5h6d7k8m9n0p1qR")]
    [InlineData("messages.write")]
    public async Task ClientCredentials_ScopeNotAllowed_Returns400InvalidScope(string scope)
    {
        await (await Client().RequestTokenAsync("reader", ReaderSecret, scope)).AssertOAuthErrorAsync(HttpStatusCode.BadRequest, "invalid_scope");
    }

    [Fact]
    public async Task ClientCredentials_TwoApplicationsInOneToken_Returns400InvalidScope()
    {
        await (await Client().RequestTokenAsync("ops", AdminSecret, "app:app_a app:app_b")).AssertOAuthErrorAsync(HttpStatusCode.BadRequest, "invalid_scope");
    }

    [Theory]
    [InlineData("password", "unsupported_grant_type")]
    [InlineData("", "invalid_request")]
    public async Task TokenRequest_OtherGrant_Returns400(string grantType, string error)
    {
        await (await Client().RequestTokenAsync("ops", AdminSecret, grantType: grantType)).AssertOAuthErrorAsync(HttpStatusCode.BadRequest, error);
    }

    [Fact]
    public async Task TokenRequest_JsonBody_Returns400InvalidRequest()
    {
        var response = await Client().PostAsync("/oauth/token", JsonContent.Create(new { grant_type = "client_credentials", client_id = "ops", client_secret = AdminSecret }));

        await response.AssertOAuthErrorAsync(HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task AppScopedToken_OtherApplication_Returns404AndAdminRoutes403()
    {
        var admin = Client(await Client().GetTokenAsync("ops", AdminSecret));
        var mine = await admin.CreateAppAsync("Mine", "mine");
        var other = await admin.CreateAppAsync("Other", "other");

        var scoped = Client(await Client().GetTokenAsync("ops", AdminSecret, $"app:{mine["id"]}"));

        await (await scoped.GetAsync($"/api/v1/app/{mine["id"]}/endpoint")).ReadObjectAsync(HttpStatusCode.OK);
        await scoped.CreateEndpointAsync((string)mine["id"]!);
        await (await scoped.GetAsync($"/api/v1/app/{other["id"]}")).AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
        await (await scoped.GetAsync("/api/v1/app/other/endpoint")).AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
        await (await scoped.PostJsonAsync("/api/v1/app", """{"name":"Third"}""")).AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task Logout_AppScopedJwt_Returns400AndTheTokenStillWorks()
    {
        var admin = Client(await Client().GetTokenAsync("ops", AdminSecret));
        var app = await admin.CreateAppAsync("Mine", "mine");
        var scoped = Client(await Client().GetTokenAsync("ops", AdminSecret, $"app:{app["id"]}"));

        await (await scoped.PostAsync("/api/v1/auth/logout", null)).AssertErrorAsync(HttpStatusCode.BadRequest, "token_not_revocable");

        // Refused, not accepted and ignored: the caller is told the token lives on, and it does.
        await (await scoped.GetAsync($"/api/v1/app/{app["id"]}/endpoint")).ReadObjectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task ReadOnlyTokens_Read_ButWritesReturn403()
    {
        var admin = Client(await Client().GetTokenAsync("ops", AdminSecret));
        var app = await admin.CreateAppAsync();
        var appRead = Client(await Client().GetTokenAsync("ops", AdminSecret, $"app:{app["id"]}:read"));
        var adminRead = Client(await Client().GetTokenAsync("reader", ReaderSecret));

        await (await appRead.GetAsync($"/api/v1/app/{app["id"]}")).ReadObjectAsync(HttpStatusCode.OK);
        await (await adminRead.GetAsync("/api/v1/app")).ReadObjectAsync(HttpStatusCode.OK);
        await (await appRead.PostJsonAsync($"/api/v1/app/{app["id"]}/endpoint", """{"url":"https://example.com/hook"}"""))
            .AssertErrorAsync(HttpStatusCode.Forbidden, "read_only_token");
        await (await adminRead.PostJsonAsync("/api/v1/app", """{"name":"New"}""")).AssertErrorAsync(HttpStatusCode.Forbidden, "read_only_token");
    }

    [Fact]
    public async Task Token_AfterItsLifetime_Returns401()
    {
        var api = Client(await Client().GetTokenAsync("ops", AdminSecret));
        await (await api.GetAsync("/api/v1/app")).ReadObjectAsync(HttpStatusCode.OK);

        _herald.Time!.Advance(TimeSpan.FromMinutes(9));
        await (await api.GetAsync("/api/v1/app")).ReadObjectAsync(HttpStatusCode.OK);

        _herald.Time.Advance(TimeSpan.FromMinutes(2)); // 11 minutes: past the 10-minute lifetime and the 30 s leeway
        await (await api.GetAsync("/api/v1/app")).AssertErrorAsync(HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task Token_AlteredPayload_Returns401()
    {
        var token = await Client().GetTokenAsync("reader", ReaderSecret);
        var parts = token.Split('.');
        var payload = Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Decode(parts[1]).Replace("admin:read", "admin", StringComparison.Ordinal);
        var forged = $"{parts[0]}.{Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(payload)}.{parts[2]}";

        await (await Client(forged).PostJsonAsync("/api/v1/app", """{"name":"New"}""")).AssertErrorAsync(HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task Token_FromAnotherNodeWithTheSameMainKey_IsAccepted()
    {
        var token = await Client().GetTokenAsync("ops", AdminSecret);
        _herald.StopServer(); // One process per SQLite data directory: the other node takes over (PostgreSQL would share).
        using var otherNode = _herald.OnSameData().WithFakeTime();

        var response = await otherNode.CreateClient(token).GetAsync("/api/v1/app");

        await response.ReadObjectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task OpaqueAdminToken_StillWorks()
    {
        var client = _herald.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", HeraldApplication.AdminToken);

        await (await client.GetAsync("/api/v1/app")).ReadObjectAsync(HttpStatusCode.OK);
    }
}
