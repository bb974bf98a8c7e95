using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Herald.Server.Auth.OAuth;

/// <summary>
/// Bearer JWTs beside Herald's opaque tokens. A policy scheme looks at each request's bearer token: an opaque token
/// (no two dots) goes to <see cref="TokenAuthenticationHandler"/>; a JWT signed with one of Herald's own keys (its
/// <c>kid</c>) to <see cref="HeraldJwtScheme"/>; any other JWT to <see cref="OidcScheme"/> when an external issuer is
/// configured. Both JWT schemes are ASP.NET Core's JwtBearer handler; their validated token becomes Caller's claims
/// through <see cref="OAuthPrincipal"/>. Challenges and 403s stay Herald's JSON errors.
/// </summary>
internal static class OAuthExtensions
{
    public const string SelectorScheme = "HeraldBearer";
    public const string HeraldJwtScheme = "HeraldJwt";
    public const string OidcScheme = "Oidc";

    /// <summary>Herald's own tokens: its clocks are the cluster's, so little skew is allowed.</summary>
    private static readonly TimeSpan OwnClockSkew = TimeSpan.FromSeconds(30);

    /// <summary>An external issuer's clock may differ more.</summary>
    private static readonly TimeSpan ExternalClockSkew = TimeSpan.FromMinutes(1);

    public static IHostApplicationBuilder AddHeraldOAuth(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<OAuthOptions>().BindConfiguration(OAuthOptions.Section).ValidateOnStart();
        services.AddOptions<OidcOptions>().BindConfiguration(OidcOptions.Section).ValidateOnStart();
        services.AddSingleton<OAuthOptionsValidation>();
        services.AddSingleton<IValidateOptions<OAuthOptions>>(sp => sp.GetRequiredService<OAuthOptionsValidation>());
        services.AddSingleton<IValidateOptions<OidcOptions>>(sp => sp.GetRequiredService<OAuthOptionsValidation>());
        services.AddSingleton<OAuthSigningKeys>();
        services.AddSingleton<OAuthClients>();
        services.AddSingleton<OAuthTokenIssuer>();

        services.AddAuthentication()
            .AddPolicyScheme(SelectorScheme, displayName: null, o =>
            {
                o.ForwardDefaultSelector = Select;
                o.ForwardChallenge = TokenAuthenticationHandler.SchemeName;
                o.ForwardForbid = TokenAuthenticationHandler.SchemeName;
            })
            .AddJwtBearer(HeraldJwtScheme, _ => { })
            .AddJwtBearer(OidcScheme, _ => { });
        services.Configure<AuthenticationOptions>(o =>
        {
            o.DefaultScheme = SelectorScheme;
            o.DefaultAuthenticateScheme = SelectorScheme;
            o.DefaultChallengeScheme = SelectorScheme;
            o.DefaultForbidScheme = SelectorScheme;
        });

        services.AddOptions<JwtBearerOptions>(HeraldJwtScheme).Configure<OAuthSigningKeys, IOptions<OAuthOptions>, TimeProvider>((o, keys, oauth, time) =>
        {
            o.MapInboundClaims = false;
            o.TimeProvider = time;
            o.TokenValidationParameters = new TokenValidationParameters
            {
                IssuerSigningKeys = keys.All,
                ValidAlgorithms = [OAuthSigningKeys.Algorithm],
                ValidTypes = ["at+jwt"],
                ValidAudience = oauth.Value.Audience,
                // Without a configured issuer, tokens name the address they were asked at; only Herald's keys sign them.
                ValidIssuer = oauth.Value.Issuer?.TrimEnd('/'),
                ValidateIssuer = oauth.Value.Issuer is not null,
                LifetimeValidator = LifetimeOn(time, OwnClockSkew),
            };
            o.Events = new JwtBearerEvents { OnTokenValidated = OAuthPrincipal.FromHeraldToken };
        });

        services.AddOptions<JwtBearerOptions>(OidcScheme).Configure<IOptions<OidcOptions>, TimeProvider>((o, oidc, time) =>
        {
            var options = oidc.Value;
            if (!options.Enabled)
            {
                return;
            }

            o.Authority = options.Authority;
            o.Audience = options.Audience;
            o.RequireHttpsMetadata = options.RequireHttpsMetadata && !OidcAuthority.IsHttpsOrLoopback(options.Authority!);
            o.MapInboundClaims = false;
            o.TimeProvider = time;
            o.TokenValidationParameters = new TokenValidationParameters
            {
                ValidAudience = options.Audience,
                LifetimeValidator = LifetimeOn(time, ExternalClockSkew),
            };
            o.Events = new JwtBearerEvents { OnTokenValidated = OAuthPrincipal.FromExternalToken };
        });
        return builder;
    }

    /// <summary>
    /// The token's nbf/exp checked against Herald's <see cref="TimeProvider"/> (IdentityModel's own check reads the
    /// system clock, which a test cannot move). A token without exp is refused.
    /// </summary>
    private static LifetimeValidator LifetimeOn(TimeProvider time, TimeSpan skew) => (notBefore, expires, _, _) =>
    {
        var now = time.GetUtcNow().UtcDateTime;
        return expires is { } exp && now < exp.ToUniversalTime() + skew && (notBefore is not { } nbf || nbf.ToUniversalTime() - skew <= now);
    };

    /// <summary>Which scheme reads this request's bearer token (see the class summary).</summary>
    private static string Select(HttpContext context)
    {
        string? header = context.Request.Headers.Authorization;
        if (header is null || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return TokenAuthenticationHandler.SchemeName;
        }

        var token = header.AsSpan(7).Trim();
        if (token.Count('.') != 2)
        {
            return TokenAuthenticationHandler.SchemeName;
        }

        string? keyId;
        try
        {
            keyId = new JsonWebToken(token.ToString()).Kid;
        }
        catch (ArgumentException)
        {
            // Not a JWT after all: Herald's own JWT scheme refuses it with the usual 401.
            return HeraldJwtScheme;
        }

        var services = context.RequestServices;
        return services.GetRequiredService<OAuthSigningKeys>().Owns(keyId) || !services.GetRequiredService<IOptions<OidcOptions>>().Value.Enabled
            ? HeraldJwtScheme
            : OidcScheme;
    }
}
