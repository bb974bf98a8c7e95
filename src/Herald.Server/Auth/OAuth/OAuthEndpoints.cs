using System.Text;
using Microsoft.Extensions.Options;

namespace Herald.Server.Auth.OAuth;

/// <summary>
/// <c>POST /oauth/token</c> (RFC 6749 §4.4 client credentials, client authentication by HTTP Basic or form fields) and
/// the documents that make Herald an issuer others can trust: <c>/.well-known/openid-configuration</c> and
/// <c>/.well-known/jwks.json</c>. Anonymous by nature; outside <c>/api/v1</c>.
/// </summary>
internal static partial class OAuthEndpoints
{
    public const string TokenPath = "/oauth/token";
    public const string DiscoveryPath = "/.well-known/openid-configuration";
    public const string JwksPath = "/.well-known/jwks.json";
    private const string ClientCredentials = "client_credentials";

    public static WebApplication MapHeraldOAuth(this WebApplication app)
    {
        app.MapPost(TokenPath, TokenAsync).AllowAnonymous().ExcludeFromDescription();
        app.MapGet(DiscoveryPath, Discovery).AllowAnonymous().ExcludeFromDescription();
        app.MapGet(JwksPath, (OAuthSigningKeys keys) => TypedResults.Json(Jwks(keys), OAuthJsonContext.Default.PublicJwkSet))
            .AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    /// <summary>The issuer URL: configured, or the address the request came to.</summary>
    public static string IssuerOf(HttpRequest request, OAuthOptions options) =>
        options.Issuer?.TrimEnd('/') ?? $"{request.Scheme}://{request.Host}{request.PathBase}";

    private static async Task<IResult> TokenAsync(
        HttpContext context, OAuthClients clients, OAuthTokenIssuer issuer, IOptions<OAuthOptions> options, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger(typeof(OAuthEndpoints).FullName!);
        var request = context.Request;
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.Pragma = "no-cache";
        if (!request.HasFormContentType)
        {
            return Error("invalid_request", "The body must be application/x-www-form-urlencoded.");
        }

        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(context.RequestAborted);
        }
        catch (InvalidDataException)
        {
            return Error("invalid_request", "The form body cannot be read.");
        }

        if (form.FirstOrDefault(f => f.Value.Count > 1) is { Key: { } repeated })
        {
            return Error("invalid_request", $"The parameter {repeated} is given more than once.");
        }

        var grantType = form["grant_type"].ToString();
        if (grantType.Length == 0)
        {
            return Error("invalid_request", "grant_type is required.");
        }

        if (grantType != ClientCredentials)
        {
            return Error("unsupported_grant_type", "Herald supports the client_credentials grant only.");
        }

        var usedBasic = request.Headers.Authorization.ToString().StartsWith("Basic ", StringComparison.OrdinalIgnoreCase);
        var credentials = ClientCredentialsOf(request, form, usedBasic, out var credentialsProblem);
        if (credentialsProblem is not null)
        {
            return Error("invalid_request", credentialsProblem);
        }

        var client = credentials is { } c ? clients.Authenticate(c.Id, c.Secret) : null;
        if (client is null)
        {
            LogClientRefused(logger, credentials?.Id is { } id && OAuthOptionsValidation.IsClientId(id) ? id : "(none)");
            if (usedBasic)
            {
                context.Response.Headers.WWWAuthenticate = "Basic realm=\"herald\"";
            }

            return Error("invalid_client", "Unknown client or wrong secret.", StatusCodes.Status401Unauthorized);
        }

        var requested = form["scope"].ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var scopes = requested.Length == 0 ? client.Scopes : requested.Distinct(StringComparer.Ordinal).ToList();
        if (scopes.FirstOrDefault(s => !ScopeGrant.IsValid(s) || !ScopeGrant.Covers(client.Scopes, s)) is { } refused)
        {
            return Error("invalid_scope", $"The client may not ask for the scope '{Shorten(refused)}'; it may ask for: {string.Join(' ', client.Scopes)}.");
        }

        if (ScopeGrant.Resolve(scopes, out var problem) is not { } grant)
        {
            return Error("invalid_scope", (requested.Length == 0 ? "Name one scope in the scope parameter. " : "") + "The scope list " + problem);
        }

        var token = issuer.Issue(client.Id, grant, IssuerOf(request, options.Value));
        LogIssued(logger, client.Id, client.Name ?? "", grant.Scope, issuer.Lifetime);
        return TypedResults.Json(
            new TokenResponse(token, "Bearer", (long)issuer.Lifetime.TotalSeconds, grant.Scope), OAuthJsonContext.Default.TokenResponse);
    }

    /// <summary>RFC 6749 §2.3.1: HTTP Basic with form-url-encoded id and secret, or client_id and client_secret in the body; not both.</summary>
    private static (string Id, string Secret)? ClientCredentialsOf(HttpRequest request, IFormCollection form, bool usedBasic, out string? problem)
    {
        problem = null;
        if (usedBasic)
        {
            if (form.ContainsKey("client_secret"))
            {
                problem = "Authenticate the client one way: the Authorization header or client_secret, not both.";
                return null;
            }

            var encoded = request.Headers.Authorization.ToString()[6..].Trim();
            var buffer = new byte[encoded.Length];
            if (!Convert.TryFromBase64String(encoded, buffer, out var length))
            {
                return null;
            }

            string decoded;
            try
            {
                decoded = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(buffer, 0, length);
            }
            catch (DecoderFallbackException)
            {
                return null;
            }

            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            return colon < 0 ? null : (Uri.UnescapeDataString(decoded[..colon].Replace('+', ' ')), Uri.UnescapeDataString(decoded[(colon + 1)..].Replace('+', ' ')));
        }

        return form["client_id"] is { Count: 1 } id && form["client_secret"] is { Count: 1 } secret
            ? (id.ToString(), secret.ToString())
            : null;
    }

    private static IResult Discovery(HttpRequest request, IOptions<OAuthOptions> options)
    {
        var issuer = IssuerOf(request, options.Value);
        return TypedResults.Json(new DiscoveryDocument(
            issuer,
            issuer + JwksPath,
            issuer + TokenPath,
            [ClientCredentials],
            ["client_secret_basic", "client_secret_post"],
            ["token"],
            ["public"],
            [OAuthSigningKeys.Algorithm],
            [ScopeGrant.Admin, ScopeGrant.AdminRead, "app:{app_id}", "app:{app_id}:read"]), OAuthJsonContext.Default.DiscoveryDocument);
    }

    private static PublicJwkSet Jwks(OAuthSigningKeys keys) =>
        new(keys.PublicJwks().Select(k => new PublicJwk(k.Kty, k.Crv, k.X, k.Y, k.Kid, k.Use, k.Alg)).ToList());

    private static IResult Error(string error, string description, int status = StatusCodes.Status400BadRequest) =>
        TypedResults.Json(new TokenError(error, description), OAuthJsonContext.Default.TokenError, statusCode: status);

    private static string Shorten(string value) => value.Length <= 80 ? value : value[..80] + "…";

    [LoggerMessage(EventId = 3121, Level = LogLevel.Information, Message = "Issued an OAuth access token to client {ClientId} ({ClientName}) with scope {Scope} for {Lifetime}.")]
    private static partial void LogIssued(ILogger logger, string clientId, string clientName, string scope, TimeSpan lifetime);

    [LoggerMessage(EventId = 3122, Level = LogLevel.Information, Message = "Refused an OAuth token request: unknown client or wrong secret (client {ClientId}).")]
    private static partial void LogClientRefused(ILogger logger, string clientId);
}
