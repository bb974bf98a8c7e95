using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Herald.Server.Secrets;

/// <summary>
/// Seals endpoint secrets and headers for storage with AES-256-GCM under the current main key, and opens them with
/// whichever configured key sealed them. Stored form: <c>hk1:&lt;key id&gt;:&lt;base64(nonce | ciphertext | tag)&gt;</c>
/// with a random 12-byte nonce per value and, as associated data, the version, key id, column and endpoint id.
/// A value without the <c>hk1:</c> prefix is plaintext from before sealing existed (a <c>whsec_</c> secret or a JSON
/// object of headers); it is read as it is until the start-up pass has sealed it.
/// </summary>
internal sealed class SecretSealer(MainKeyRing keys)
{
    public const string Prefix = "hk1:";
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const int KeyIdLength = 8;

    public MainKeyRing Keys => keys;

    public string Seal(string plaintext, SealedField field)
    {
        var key = keys.Current;
        var clear = Encoding.UTF8.GetBytes(plaintext);
        var sealedBytes = new byte[NonceSize + clear.Length + TagSize];
        var nonce = sealedBytes.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using (var aes = new AesGcm(key.Bytes, TagSize))
        {
            aes.Encrypt(nonce, clear, sealedBytes.AsSpan(NonceSize, clear.Length), sealedBytes.AsSpan(NonceSize + clear.Length), AssociatedData(key.Id, field));
        }

        CryptographicOperations.ZeroMemory(clear);
        return $"{Prefix}{key.Id}:{Convert.ToBase64String(sealedBytes)}";
    }

    /// <summary>The plaintext of a stored value (plaintext from before sealing is returned as it is).</summary>
    /// <exception cref="SecretUnreadableException">No configured key opens it.</exception>
    public string Open(string stored, SealedField field)
    {
        if (!IsSealed(stored))
        {
            return stored;
        }

        var keyId = KeyIdOf(stored);
        var key = keys.Find(keyId) ?? throw new SecretUnreadableException(field, keyId);
        var body = stored.AsSpan(Prefix.Length + KeyIdLength + 1);
        var sealedBytes = new byte[Base64.GetMaxDecodedFromUtf8Length(body.Length)];
        if (!Convert.TryFromBase64Chars(body, sealedBytes, out var length) || length < NonceSize + TagSize)
        {
            throw new SecretUnreadableException(field, null);
        }

        var clearLength = length - NonceSize - TagSize;
        var clear = new byte[clearLength];
        try
        {
            using var aes = new AesGcm(key.Bytes, TagSize);
            aes.Decrypt(
                sealedBytes.AsSpan(0, NonceSize), sealedBytes.AsSpan(NonceSize, clearLength), sealedBytes.AsSpan(NonceSize + clearLength, TagSize),
                clear, AssociatedData(key.Id, field));
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new SecretUnreadableException(field, null);
        }

        return Encoding.UTF8.GetString(clear);
    }

    /// <summary>Whether the start-up pass should rewrite a stored value: plaintext, or sealed with a key other than the current one.</summary>
    public bool NeedsResealing(string stored) => !IsSealed(stored) || KeyIdOf(stored) != keys.Current.Id;

    public static bool IsSealed(string stored) =>
        stored.StartsWith(Prefix, StringComparison.Ordinal) && stored.Length > Prefix.Length + KeyIdLength && stored[Prefix.Length + KeyIdLength] == ':';

    private static string KeyIdOf(string stored) => stored.Substring(Prefix.Length, KeyIdLength);

    private static byte[] AssociatedData(string keyId, SealedField field) =>
        Encoding.UTF8.GetBytes($"{Prefix}{keyId}:{field.Column}:{field.EndpointId}");
}
