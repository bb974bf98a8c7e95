using Herald.Server.Secrets;

namespace Herald.Server.Tests.Secrets;

/// <summary>The sealed form itself: bound to its row and column, tamper-evident, opened by whichever configured key sealed it.</summary>
public sealed class SecretSealerTests
{
    private static readonly MainKey A = MainKey.From(Convert.FromBase64String(TestMainKeys.A));
    private static readonly MainKey B = MainKey.From(Convert.FromBase64String(TestMainKeys.B));
    private static readonly SealedField Secret = SealedField.EndpointSecret("ep_1");

    [Fact]
    public void Seal_ThenOpen_ReturnsThePlaintext_WithAFreshNonceEachTime()
    {
        var sealer = new SecretSealer(new MainKeyRing(A, []));

        var first = sealer.Seal("whsec_abc", Secret);
        var second = sealer.Seal("whsec_abc", Secret);

        Assert.StartsWith($"hk1:{A.Id}:", first);
        Assert.NotEqual(first, second);
        Assert.Equal("whsec_abc", sealer.Open(first, Secret));
        Assert.Equal("whsec_abc", sealer.Open(second, Secret));
    }

    [Fact]
    public void SealedValue_MovedToAnotherEndpointOrColumn_DoesNotOpen()
    {
        var sealer = new SecretSealer(new MainKeyRing(A, []));
        var sealedValue = sealer.Seal("whsec_abc", Secret);

        Assert.Throws<SecretUnreadableException>(() => sealer.Open(sealedValue, SealedField.EndpointSecret("ep_2")));
        Assert.Throws<SecretUnreadableException>(() => sealer.Open(sealedValue, SealedField.EndpointHeaders("ep_1")));
    }

    [Fact]
    public void SealedValue_WithOneCharacterChanged_DoesNotOpen()
    {
        var sealer = new SecretSealer(new MainKeyRing(A, []));
        var sealedValue = sealer.Seal("whsec_abc", Secret);
        var at = sealedValue.Length - 5;
        var tampered = sealedValue[..at] + (sealedValue[at] == 'A' ? 'B' : 'A') + sealedValue[(at + 1)..];

        var failure = Assert.Throws<SecretUnreadableException>(() => sealer.Open(tampered, Secret));
        Assert.Null(failure.MissingKeyId);
    }

    [Fact]
    public void PreviousKey_StillOpens_ButAskForResealing_AndAMissingKeyIsNamed()
    {
        var sealedWithA = new SecretSealer(new MainKeyRing(A, [])).Seal("whsec_abc", Secret);
        var rotating = new SecretSealer(new MainKeyRing(B, [A]));

        Assert.Equal("whsec_abc", rotating.Open(sealedWithA, Secret));
        Assert.True(rotating.NeedsResealing(sealedWithA));
        Assert.False(rotating.NeedsResealing(rotating.Seal("whsec_abc", Secret)));

        var failure = Assert.Throws<SecretUnreadableException>(() => new SecretSealer(new MainKeyRing(B, [])).Open(sealedWithA, Secret));
        Assert.Equal(A.Id, failure.MissingKeyId);
    }

    [Fact]
    public void Plaintext_FromBeforeSealing_IsReadAsItIs_AndAsksForSealing()
    {
        var sealer = new SecretSealer(new MainKeyRing(A, []));

        Assert.Equal("""{"X-Tenant":"acme"}""", sealer.Open("""{"X-Tenant":"acme"}""", SealedField.EndpointHeaders("ep_1")));
        Assert.True(sealer.NeedsResealing("whsec_abc"));
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("c2hvcnQ=")]
    [InlineData("")]
    public void MainKey_ThatIsNot32BytesOfBase64_IsRefused(string text) => Assert.Null(MainKey.Parse(text));
}
