namespace Herald.Server.Tests.Secrets;

/// <summary>Main keys for tests (base64 of 32 bytes). PostgreSQL test servers get <see cref="A"/>: a cluster needs a configured key.</summary>
internal static class TestMainKeys
{
    public static readonly string A = Convert.ToBase64String(Enumerable.Repeat((byte)0xA1, 32).ToArray());
    public static readonly string B = Convert.ToBase64String(Enumerable.Repeat((byte)0xB2, 32).ToArray());
}
