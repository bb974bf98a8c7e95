using System.Security.Cryptography;

namespace Herald.Server.Common;

/// <summary>
/// Prefixed, time-sortable ids (<c>msg_</c> + 22 base62 characters): 48 bits of milliseconds then 80 random
/// bits, like a ULID. Ids made in the same millisecond by this process increase strictly, so sorting by id
/// is sorting by creation, which keyset pagination relies on.
/// </summary>
internal sealed class Ids(TimeProvider time)
{
    public const string Application = "app_";
    public const string Endpoint = "ep_";
    public const string Message = "msg_";
    public const string Token = "tok_";
    public const string Delivery = "dlv_";
    public const string Attempt = "atmpt_";

    private const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static readonly System.Buffers.SearchValues<char> AlphabetChars = System.Buffers.SearchValues.Create(Alphabet);
    private const int EncodedLength = 22;
    private static readonly UInt128 RandomMask = (UInt128.One << 80) - 1;
    private readonly Lock _lock = new();
    private UInt128 _last;

    public string New(string prefix)
    {
        var random = RandomNumberGenerator.GetBytes(16);
        var value = ((UInt128)(ulong)time.Now().ToUnixTimeMilliseconds() << 80) | (new UInt128(BitConverter.ToUInt64(random, 0), BitConverter.ToUInt64(random, 8)) & RandomMask);
        lock (_lock)
        {
            if (value <= _last)
            {
                value = _last + 1;
            }

            _last = value;
        }

        return prefix + Encode(value);
    }

    /// <summary>The smallest id of <paramref name="prefix"/> made at <paramref name="at"/>: every id made before it sorts below.</summary>
    public static string Floor(string prefix, DateTimeOffset at) => prefix + Encode((UInt128)(ulong)at.ToUnixTimeMilliseconds() << 80);

    public static bool IsValid(string prefix, string? id) =>
        id is not null && id.Length == prefix.Length + EncodedLength && id.StartsWith(prefix, StringComparison.Ordinal)
        && id.AsSpan(prefix.Length).IndexOfAnyExcept(AlphabetChars) < 0;

    private static string Encode(UInt128 value)
    {
        Span<char> chars = stackalloc char[EncodedLength];
        for (var i = EncodedLength - 1; i >= 0; i--)
        {
            chars[i] = Alphabet[(int)(value % 62)];
            value /= 62;
        }

        return new string(chars);
    }
}
