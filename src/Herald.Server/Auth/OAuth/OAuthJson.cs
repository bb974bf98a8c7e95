using System.Text.Json.Serialization;

namespace Herald.Server.Auth.OAuth;

/// <summary>RFC 6749 §5.1 successful token response.</summary>
internal sealed record TokenResponse(string AccessToken, string TokenType, long ExpiresIn, string Scope);

/// <summary>RFC 6749 §5.2 error response.</summary>
internal sealed record TokenError(string Error, string ErrorDescription);

/// <summary>The OpenID Connect discovery document: what a relying party (another service, or another Herald) needs to trust Herald's tokens.</summary>
internal sealed record DiscoveryDocument(
    string Issuer,
    string JwksUri,
    string TokenEndpoint,
    IReadOnlyList<string> GrantTypesSupported,
    IReadOnlyList<string> TokenEndpointAuthMethodsSupported,
    IReadOnlyList<string> ResponseTypesSupported,
    IReadOnlyList<string> SubjectTypesSupported,
    IReadOnlyList<string> IdTokenSigningAlgValuesSupported,
    IReadOnlyList<string> ScopesSupported);

/// <summary>One public EC key of the JWK Set (RFC 7517/7518).</summary>
internal sealed record PublicJwk(string Kty, string Crv, string X, string Y, string Kid, string Use, string Alg);

internal sealed record PublicJwkSet(IReadOnlyList<PublicJwk> Keys);

/// <summary>Snake-case JSON for the protocol documents (RFC 6749, OpenID Connect Discovery), apart from Herald's camelCase API.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(TokenError))]
[JsonSerializable(typeof(DiscoveryDocument))]
[JsonSerializable(typeof(PublicJwkSet))]
internal sealed partial class OAuthJsonContext : JsonSerializerContext;
