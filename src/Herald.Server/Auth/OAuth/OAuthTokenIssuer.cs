using System.Buffers.Text;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Herald.Server.Auth.OAuth;

/// <summary>
/// Makes Herald's access tokens: JWTs (RFC 9068 shape: <c>typ</c> at+jwt, <c>sub</c> and <c>client_id</c> the client,
/// <c>scope</c> the granted Herald scope) signed ES256 with <see cref="OAuthSigningKeys.Current"/> by IdentityModel's
/// JsonWebTokenHandler, the library JwtBearer validates them with.
/// </summary>
internal sealed class OAuthTokenIssuer(OAuthSigningKeys keys, IOptions<OAuthOptions> options, TimeProvider time)
{
    public const string ScopeClaim = "scope";
    public const string ClientIdClaim = "client_id";

    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };

    public TimeSpan Lifetime => options.Value.TokenLifetime;

    public string Issue(string clientId, ScopeGrant grant, string issuer)
    {
        var now = time.GetUtcNow().UtcDateTime;
        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = options.Value.Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + Lifetime,
            TokenType = "at+jwt",
            SigningCredentials = new SigningCredentials(keys.Current, OAuthSigningKeys.Algorithm),
            Claims = new Dictionary<string, object>
            {
                [JwtRegisteredClaimNames.Sub] = clientId,
                [ClientIdClaim] = clientId,
                [JwtRegisteredClaimNames.Jti] = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16)),
                [ScopeClaim] = grant.Scope,
            },
        });
    }
}
