using Herald.Server.Auth.OAuth;
using Microsoft.AspNetCore.Authentication;

namespace Herald.Server.Auth;

internal static class AuthExtensions
{
    public static IHostApplicationBuilder AddHeraldAuth(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddAuthentication(TokenAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, TokenAuthenticationHandler>(TokenAuthenticationHandler.SchemeName, null);
        builder.Services.AddAuthorization();
        builder.Services.AddSingleton<ApiKeyUsage>();
        builder.AddHeraldOAuth(); // JWT bearer tokens: Herald's client-credentials grant and an external OIDC issuer
        return builder;
    }
}
