using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Herald.Server.Auth.OAuth;

/// <summary>Checks <see cref="OAuthOptions"/> and <see cref="OidcOptions"/> at start; every message names the setting, never a secret.</summary>
internal sealed class OAuthOptionsValidation : IValidateOptions<OAuthOptions>, IValidateOptions<OidcOptions>
{
    public ValidateOptionsResult Validate(string? name, OAuthOptions options)
    {
        var problems = new List<string>();
        if (options.TokenLifetime < TimeSpan.FromMinutes(1) || options.TokenLifetime > TimeSpan.FromHours(1))
        {
            problems.Add($"{OAuthOptions.Section}:TokenLifetime must be from 1 minute to 1 hour.");
        }

        if (options.Issuer is not null && !IsHttpUrl(options.Issuer))
        {
            problems.Add($"{OAuthOptions.Section}:Issuer must be an absolute http or https URL.");
        }

        if (string.IsNullOrWhiteSpace(options.Audience))
        {
            problems.Add($"{OAuthOptions.Section}:Audience must not be empty.");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Clients.Count; i++)
        {
            var client = options.Clients[i];
            var at = $"{OAuthOptions.Section}:Clients:{i}";
            if (client.ClientId is not { } id || !IsClientId(id))
            {
                problems.Add($"{at}:ClientId must be 1 to 64 letters, digits, '_', '-' or '.'.");
            }
            else if (!seen.Add(id))
            {
                problems.Add($"{at}:ClientId '{id}' is given twice.");
            }

            if ((client.Secret is null) == (client.SecretSha256 is null))
            {
                problems.Add($"{at}: set either Secret or SecretSha256.");
            }
            else if (client.Secret is { Length: < 24 })
            {
                problems.Add($"{at}:Secret must be at least 24 characters long.");
            }
            else if (client.SecretSha256 is { } hex && !IsSha256Hex(hex))
            {
                problems.Add($"{at}:SecretSha256 must be 64 hex digits (the SHA-256 of the secret).");
            }

            if (client.Scopes.Count == 0)
            {
                problems.Add($"{at}:Scopes must name at least one scope.");
            }

            problems.AddRange(client.Scopes.Where(s => !ScopeGrant.IsValid(s)).Select(s =>
                $"{at}:Scopes: '{s}' is not a Herald scope (admin, admin:read, app:{{app_id}}, app:{{app_id}}:read)."));
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    public ValidateOptionsResult Validate(string? name, OidcOptions options)
    {
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success;
        }

        var problems = new List<string>();
        if (!IsHttpUrl(options.Authority!))
        {
            problems.Add($"{OidcOptions.Section}:Authority must be an absolute http or https URL.");
        }
        else if (options.RequireHttpsMetadata && !OidcAuthority.IsHttpsOrLoopback(options.Authority!))
        {
            problems.Add($"{OidcOptions.Section}:Authority must be https (or set RequireHttpsMetadata to false, on a network you trust).");
        }

        if (string.IsNullOrWhiteSpace(options.Audience))
        {
            problems.Add($"{OidcOptions.Section}:Audience is required with an Authority: without it, a token issued for any other application would be accepted.");
        }

        if (string.IsNullOrWhiteSpace(options.ScopeClaim))
        {
            problems.Add($"{OidcOptions.Section}:ScopeClaim must not be empty.");
        }

        if (options.Scopes.Count == 0)
        {
            problems.Add($"{OidcOptions.Section}:Scopes must map at least one external scope to a Herald scope.");
        }

        for (var i = 0; i < options.Scopes.Count; i++)
        {
            var map = options.Scopes[i];
            if (string.IsNullOrWhiteSpace(map.External))
            {
                problems.Add($"{OidcOptions.Section}:Scopes:{i}:External must not be empty.");
            }

            if (map.Herald is null || !ScopeGrant.IsValid(map.Herald))
            {
                problems.Add($"{OidcOptions.Section}:Scopes:{i}:Herald must be a Herald scope (admin, admin:read, app:{{app_id}}, app:{{app_id}}:read).");
            }
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    public static bool IsClientId(string id) =>
        id.Length is > 0 and <= 64 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.');

    /// <summary>The SHA-256 a client's secret is compared by: the configured hash, or the hash of the configured secret.</summary>
    public static byte[] SecretHash(OAuthClientOptions client) =>
        client.SecretSha256 is { } hex ? Convert.FromHexString(hex) : SHA256.HashData(Encoding.UTF8.GetBytes(client.Secret!));

    private static bool IsSha256Hex(string hex) => hex.Length == 64 && hex.All(char.IsAsciiHexDigit);

    private static bool IsHttpUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp);
}
