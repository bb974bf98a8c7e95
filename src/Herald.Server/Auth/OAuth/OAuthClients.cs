using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Herald.Server.Auth.OAuth;

/// <summary>The configured clients of the client-credentials grant, each known by the SHA-256 of its secret.</summary>
internal sealed class OAuthClients(IOptions<OAuthOptions> options)
{
    internal sealed record Client(string Id, string? Name, byte[] SecretHash, IReadOnlyList<string> Scopes);

    private readonly Dictionary<string, Client> _byId = options.Value.Clients.ToDictionary(
        c => c.ClientId!,
        c => new Client(c.ClientId!, c.Name, OAuthOptionsValidation.SecretHash(c), c.Scopes.Distinct(StringComparer.Ordinal).ToList()),
        StringComparer.Ordinal);

    // Compared against when the client id is unknown, so an unknown id costs the same as a wrong secret.
    private static readonly byte[] NoSecret = SHA256.HashData("herald: no such client"u8);

    /// <summary>The client when the secret is its own; null otherwise (unknown id or wrong secret: the caller cannot tell which).</summary>
    public Client? Authenticate(string clientId, string secret)
    {
        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(secret));
        var client = _byId.GetValueOrDefault(clientId);
        var matches = CryptographicOperations.FixedTimeEquals(presented, client?.SecretHash ?? NoSecret);
        return client is not null && matches ? client : null;
    }
}
