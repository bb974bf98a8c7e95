using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Herald.Server.Auth;

/// <summary>
/// Bearer tokens are 256 random bits, so a plain SHA-256 is the right at-rest hash (a slow password hash
/// buys nothing against a brute force of 2^256 and would cost every request).
/// </summary>
internal static class TokenHashing
{
    public const string AdminPrefix = "herald_sk_";
    public const string PortalPrefix = "herald_app_";

    public static string NewToken(string prefix) => prefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    /// <summary>
    /// What lists show of a key's secret: its kind prefix and 4 random characters (24 of its 256 bits) for generated
    /// keys; at most a third of an operator-chosen one (at least 24 characters, so 16 or more stay hidden).
    /// </summary>
    public static string DisplayPrefix(string token) => token[..Math.Min(AdminPrefix.Length + 4, token.Length / 3)];
}
