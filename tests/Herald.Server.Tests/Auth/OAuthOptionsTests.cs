using Herald.Server.Auth.OAuth;

namespace Herald.Server.Tests.Auth;

/// <summary>The start-up check of the OAuth and OIDC settings: each mistake is named by its setting, never with the secret in it.</summary>
public sealed class OAuthOptionsTests
{
    private static readonly OAuthOptionsValidation Validation = new();

    private static OAuthOptions WithClient(string? secret, params string[] scopes) => new()
    {
        Clients = [new OAuthClientOptions { ClientId = "ops", Secret = secret, Scopes = [.. scopes] }],
    };

    [Fact]
    public void OAuthOptions_ShortSecret_FailsNamingTheSettingButNotTheSecret()
    {
        var result = Validation.Validate(null, WithClient("short-secret", "admin"));

        Assert.True(result.Failed);
        Assert.Contains("Herald:Auth:OAuth:Clients:0:Secret", result.FailureMessage);
        Assert.DoesNotContain("short-secret", result.FailureMessage);
    }

    [Theory]
    [InlineData("superuser")]
    [InlineData("app:")]
    [InlineData("app:a b")]
    [InlineData("app:x:write")]
    public void OAuthOptions_UnknownScope_Fails(string scope)
    {
        var result = Validation.Validate(null, WithClient("a-long-enough-secret-0123456789", scope));

        Assert.True(result.Failed);
        Assert.Contains("Herald:Auth:OAuth:Clients:0:Scopes", result.FailureMessage);
    }

    [Fact]
    public void OAuthOptions_ValidClient_Succeeds()
    {
        Assert.True(Validation.Validate(null, WithClient("a-long-enough-secret-0123456789", "admin:read", "app:app_1:read")).Succeeded);
    }

    [Fact]
    public void OidcOptions_AuthorityWithoutAudience_Fails()
    {
        var result = Validation.Validate(null, new OidcOptions
        {
            Authority = "https://login.example.com/tenant",
            Scopes = [new OidcScopeMapping { External = "herald.admin", Herald = "admin" }],
        });

        Assert.True(result.Failed);
        Assert.Contains("Herald:Auth:Oidc:Audience", result.FailureMessage);
    }

    [Theory]
    [InlineData("http://login.example.com/tenant", false)]
    [InlineData("http://127.0.0.1:5000", true)]
    [InlineData("http://localhost:5000", true)]
    [InlineData("https://login.example.com/tenant", true)]
    public void OidcOptions_PlainHttpAuthority_OnlyOnLoopback(string authority, bool valid)
    {
        var result = Validation.Validate(null, new OidcOptions
        {
            Authority = authority,
            Audience = "herald",
            Scopes = [new OidcScopeMapping { External = "herald.admin", Herald = "admin" }],
        });

        Assert.Equal(valid, result.Succeeded);
    }
}
