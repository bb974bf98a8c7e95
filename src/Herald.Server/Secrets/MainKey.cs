using System.Security.Cryptography;
using System.Text;

namespace Herald.Server.Secrets;

/// <summary>One 256-bit main key and its id: the first 8 hex digits of a SHA-256 over a label and the key, so an id names its key without revealing it.</summary>
internal sealed class MainKey
{
    public const int Size = 32;

    private MainKey(string id, byte[] bytes)
    {
        Id = id;
        Bytes = bytes;
    }

    public string Id { get; }

    public byte[] Bytes { get; }

    public static MainKey New() => From(RandomNumberGenerator.GetBytes(Size));

    public static MainKey From(byte[] bytes)
    {
        if (bytes.Length != Size)
        {
            throw new ArgumentException($"A main key is {Size} bytes.", nameof(bytes));
        }

        var digest = SHA256.HashData([.. Encoding.ASCII.GetBytes("herald main key id\0"), .. bytes]);
        return new MainKey(Convert.ToHexStringLower(digest.AsSpan(0, 4)), bytes);
    }

    /// <summary>Reads a key written as base64 (surrounding whitespace allowed); null when it is not 32 bytes of base64.</summary>
    public static MainKey? Parse(string? text)
    {
        var trimmed = text?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            return null;
        }

        var buffer = new byte[Size + 3];
        return Convert.TryFromBase64String(trimmed, buffer, out var length) && length == Size ? From(buffer[..Size]) : null;
    }

    public string ToBase64() => Convert.ToBase64String(Bytes);
}
