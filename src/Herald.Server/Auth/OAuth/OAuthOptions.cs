namespace Herald.Server.Auth.OAuth;

/// <summary>
/// Herald as an OAuth 2.0 authorization server for the client-credentials grant (<c>POST /oauth/token</c>). Bound from
/// <c>Herald:Auth:OAuth</c>. Clients come from configuration, so every node of a cluster knows the same ones; the JWTs
/// are signed with a key derived from the main key (<c>Herald:Secrets</c>), the same on every node.
/// </summary>
public sealed class OAuthOptions
{
    public const string Section = "Herald:Auth:OAuth";

    /// <summary>How long an access token lasts: 1 minute to 1 hour, default 10 minutes. Tokens cannot be revoked; they run out.</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// The <c>iss</c> of Herald's tokens and of its discovery document, an absolute http(s) URL (e.g. Herald's public
    /// address behind a proxy). When not set, the address the request came to (scheme, host and path base).
    /// </summary>
    public string? Issuer { get; set; }

    /// <summary>The <c>aud</c> of Herald's tokens (an external relying party checks it). Default <c>herald</c>.</summary>
    public string Audience { get; set; } = "herald";

    /// <summary>The clients that may ask for tokens; none by default (then <c>/oauth/token</c> answers invalid_client to every request).</summary>
    public List<OAuthClientOptions> Clients { get; set; } = [];
}

/// <summary>One client of the client-credentials grant.</summary>
public sealed class OAuthClientOptions
{
    /// <summary>The client_id: 1–64 letters, digits, '_', '-' or '.'.</summary>
    public string? ClientId { get; set; }

    /// <summary>A label for people (logs name the client by it and its id).</summary>
    public string? Name { get; set; }

    /// <summary>The client secret, at least 24 characters (e.g. <c>openssl rand -base64 32</c>). Exclusive with <see cref="SecretSha256"/>.</summary>
    public string? Secret { get; set; }

    /// <summary>The SHA-256 of the secret in hex (<c>printf %s "$SECRET" | sha256sum</c>), so the configuration holds no secret. Exclusive with <see cref="Secret"/>.</summary>
    public string? SecretSha256 { get; set; }

    /// <summary>The Herald scopes the client may ask for: <c>admin</c>, <c>admin:read</c>, <c>app:{app_id}</c>, <c>app:{app_id}:read</c>.</summary>
    public List<string> Scopes { get; set; } = [];
}

/// <summary>
/// Trust in an external OpenID Connect issuer's access tokens (Entra ID, Keycloak, Auth0, another Herald…). Bound from
/// <c>Herald:Auth:Oidc</c>; off while <see cref="Authority"/> is not set.
/// </summary>
public sealed class OidcOptions
{
    public const string Section = "Herald:Auth:Oidc";

    /// <summary>The issuer's URL; its <c>/.well-known/openid-configuration</c> names the signing keys and the issuer to expect.</summary>
    public string? Authority { get; set; }

    /// <summary>The <c>aud</c> a token must carry (required with <see cref="Authority"/>).</summary>
    public string? Audience { get; set; }

    /// <summary>The claim that lists the token's scopes (space-separated or an array). Default <c>scope</c>; Entra ID uses <c>scp</c> or <c>roles</c>.</summary>
    public string ScopeClaim { get; set; } = "scope";

    /// <summary>Which external scope gives which Herald scope. Only mapped scopes count; a token with none is refused.</summary>
    public List<OidcScopeMapping> Scopes { get; set; } = [];

    /// <summary>Fetch the discovery document and keys over HTTPS only. Default true; an http authority on a loopback address is allowed for tests whatever this says.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    public bool Enabled => !string.IsNullOrWhiteSpace(Authority);
}

/// <summary>One external scope and the Herald scope it gives (a list of pairs, because scopes such as <c>read:herald</c> cannot be configuration keys).</summary>
public sealed class OidcScopeMapping
{
    public string? External { get; set; }

    public string? Herald { get; set; }
}
