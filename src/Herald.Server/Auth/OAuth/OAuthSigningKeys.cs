using System.Security.Cryptography;
using System.Text;
using Herald.Server.Secrets;
using Microsoft.IdentityModel.Tokens;

namespace Herald.Server.Auth.OAuth;

/// <summary>
/// The ES256 keys Herald signs its access tokens with, one derived from each configured main key (HKDF-SHA256 with its
/// own label, so the signing key reveals nothing of the main key). Deriving rather than generating makes every node of a
/// cluster sign with the same key without storing one, and follows main-key rotation: the current main key's key signs,
/// the previous ones' keys still verify (and stay published) until the rotation is finished. Each key's id is its RFC
/// 7638 thumbprint.
/// </summary>
internal sealed class OAuthSigningKeys
{
    public const string Algorithm = SecurityAlgorithms.EcdsaSha256;

    // The order of P-256: a private scalar must be in [1, n-1].
    private static readonly byte[] CurveOrder = Convert.FromHexString("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551");

    public OAuthSigningKeys(MainKeyRing keys)
    {
        All = keys.KeyIds.Select(id => Derive(keys.Find(id)!)).ToList();
        Current = All[0];
    }

    /// <summary>The key new tokens are signed with (from the current main key).</summary>
    public ECDsaSecurityKey Current { get; }

    /// <summary>Every key a token may have been signed with, the current one first.</summary>
    public IReadOnlyList<ECDsaSecurityKey> All { get; }

    public bool Owns(string? keyId) => keyId is not null && All.Any(k => k.KeyId == keyId);

    /// <summary>The public keys as a JWK Set (<c>/.well-known/jwks.json</c>).</summary>
    public IReadOnlyList<JsonWebKey> PublicJwks() => All.Select(k =>
    {
        var jwk = JsonWebKeyConverter.ConvertFromECDsaSecurityKey(new ECDsaSecurityKey(ECDsa.Create(k.ECDsa.ExportParameters(includePrivateParameters: false))));
        jwk.KeyId = k.KeyId;
        jwk.Use = JsonWebKeyUseNames.Sig;
        jwk.Alg = Algorithm;
        return jwk;
    }).ToList();

    private static ECDsaSecurityKey Derive(MainKey mainKey)
    {
        for (byte counter = 0; ; counter++)
        {
            var info = Encoding.ASCII.GetBytes($"herald oauth signing key es256 v1\0{counter}");
            var scalar = HKDF.DeriveKey(HashAlgorithmName.SHA256, mainKey.Bytes, 32, salt: [], info);
            if (scalar.Any(b => b != 0) && scalar.AsSpan().SequenceCompareTo(CurveOrder) < 0)
            {
                // The public point is computed from the private scalar on import.
                var ecdsa = ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, D = scalar });
                var key = new ECDsaSecurityKey(ecdsa);
                var publicJwk = JsonWebKeyConverter.ConvertFromECDsaSecurityKey(new ECDsaSecurityKey(ECDsa.Create(ecdsa.ExportParameters(false))));
                key.KeyId = Base64UrlEncoder.Encode(publicJwk.ComputeJwkThumbprint());
                return key;
            }
        }
    }
}
