using Microsoft.Extensions.Time.Testing;

namespace Herald.Receiver.Tests.Verification;

public sealed class WebhookVerifierTests
{
    private const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private const string OtherSecret = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
    private static readonly DateTimeOffset SentAt = new(2026, 1, 15, 9, 0, 0, TimeSpan.Zero);
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"type":"invoice.paid","amount":42}""");

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void MultiSignatureHeader_MatchingEntryInAnyPosition_Verifies(int position)
    {
        var good = Sign(Secret)["webhook-signature"];
        var entries = new List<string> { Sign(OtherSecret)["webhook-signature"], "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" };
        entries.Insert(position, good);
        var headers = new Dictionary<string, string>(Sign(Secret)) { ["webhook-signature"] = string.Join(' ', entries) };

        Assert.True(Verifier(Secret).Verify(Body, headers).IsVerified);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void StripeMultiSignatureHeader_MatchingEntryInAnyPosition_Verifies(int position)
    {
        const string stripeSecret = "whsec_stripe_secret";
        var header = WebhookScheme.Stripe.Sign(stripeSecret, "", SentAt, Body)["Stripe-Signature"];
        var good = header.Split(',')[1];
        var entries = new List<string> { "v1=" + new string('a', 64), "v1=" + new string('b', 64) };
        entries.Insert(position, good);
        var headers = new Dictionary<string, string> { ["stripe-signature"] = header.Split(',')[0] + "," + string.Join(',', entries) };

        Assert.True(new WebhookVerifier(WebhookScheme.Stripe, [stripeSecret], timeProvider: new FakeTimeProvider(SentAt)).Verify(Body, headers).IsVerified);
    }

    [Fact]
    public void SeveralSecrets_SignatureFromTheOlderOne_Verifies()
    {
        var verifier = new WebhookVerifier(WebhookScheme.StandardWebhooks, [OtherSecret, Secret], timeProvider: new FakeTimeProvider(SentAt));

        Assert.True(verifier.Verify(Body, Sign(Secret)).IsVerified);
        Assert.Equal(WebhookFailure.NoMatchingSignature, Verifier(OtherSecret).Verify(Body, Sign(Secret)).Failure);
    }

    [Theory]
    [InlineData(300, true)]
    [InlineData(-300, true)]
    [InlineData(301, false)]
    [InlineData(-301, false)]
    public void Tolerance_Edges(int receiverClockOffsetSeconds, bool verifies)
    {
        var result = Verifier(Secret, SentAt.AddSeconds(receiverClockOffsetSeconds)).Verify(Body, Sign(Secret));

        Assert.Equal(verifies, result.IsVerified);
        if (!verifies)
        {
            Assert.Equal(WebhookFailure.TimestampOutsideTolerance, result.Failure);
        }
    }

    [Theory]
    [InlineData(300, true)]
    [InlineData(-301, false)]
    public void StripeTolerance_Edges(int receiverClockOffsetSeconds, bool verifies)
    {
        var headers = WebhookScheme.Stripe.Sign("sk", "", SentAt, Body);
        var verifier = new WebhookVerifier(WebhookScheme.Stripe, ["sk"], timeProvider: new FakeTimeProvider(SentAt.AddSeconds(receiverClockOffsetSeconds)));

        Assert.Equal(verifies, verifier.Verify(Body, headers).IsVerified);
    }

    [Fact]
    public void ConfiguredTolerance_IsHonoured()
    {
        var verifier = new WebhookVerifier(WebhookScheme.StandardWebhooks, [Secret], TimeSpan.FromSeconds(10), new FakeTimeProvider(SentAt.AddSeconds(11)));

        Assert.Equal(WebhookFailure.TimestampOutsideTolerance, verifier.Verify(Body, Sign(Secret)).Failure);
    }

    [Fact]
    public void TamperedBody_Fails()
    {
        var tampered = Encoding.UTF8.GetBytes("""{"type":"invoice.paid","amount":43}""");

        Assert.Equal(WebhookFailure.NoMatchingSignature, Verifier(Secret).Verify(tampered, Sign(Secret)).Failure);
    }

    [Fact]
    public void TamperedId_Fails()
    {
        var headers = new Dictionary<string, string>(Sign(Secret)) { ["webhook-id"] = "msg_other" };

        Assert.Equal(WebhookFailure.NoMatchingSignature, Verifier(Secret).Verify(Body, headers).Failure);
    }

    [Fact]
    public void TamperedTimestamp_Fails()
    {
        var headers = new Dictionary<string, string>(Sign(Secret)) { ["webhook-timestamp"] = (SentAt.ToUnixTimeSeconds() + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) };

        Assert.Equal(WebhookFailure.NoMatchingSignature, Verifier(Secret).Verify(Body, headers).Failure);
    }

    [Fact]
    public void StripeTamperedTimestamp_Fails()
    {
        var header = WebhookScheme.Stripe.Sign("sk", "", SentAt, Body)["Stripe-Signature"];
        var tampered = header.Replace($"t={SentAt.ToUnixTimeSeconds()}", $"t={SentAt.ToUnixTimeSeconds() + 1}", StringComparison.Ordinal);
        var verifier = new WebhookVerifier(WebhookScheme.Stripe, ["sk"], timeProvider: new FakeTimeProvider(SentAt));

        Assert.Equal(WebhookFailure.NoMatchingSignature, verifier.Verify(Body, new Dictionary<string, string> { ["Stripe-Signature"] = tampered }).Failure);
    }

    [Theory]
    [InlineData("webhook-id")]
    [InlineData("webhook-timestamp")]
    [InlineData("webhook-signature")]
    public void MissingHeader_IsReportedByName(string header)
    {
        var headers = new Dictionary<string, string>(Sign(Secret));
        headers.Remove(header);

        var result = Verifier(Secret).Verify(Body, headers);

        Assert.Equal(WebhookFailure.MissingHeader, result.Failure);
        Assert.Contains(header, result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("webhook-timestamp", "yesterday")]
    [InlineData("webhook-signature", "sha256=abc")]
    public void MalformedHeader_IsReported(string header, string value)
    {
        var headers = new Dictionary<string, string>(Sign(Secret)) { [header] = value };

        Assert.Equal(WebhookFailure.MalformedHeader, Verifier(Secret).Verify(Body, headers).Failure);
    }

    [Fact]
    public void HeaderNames_AreCaseInsensitive_AndDelegateLookupWorks()
    {
        var upper = Sign(Secret).ToDictionary(h => h.Key.ToUpperInvariant(), h => h.Value);
        var lookup = new Dictionary<string, string>(Sign(Secret), StringComparer.OrdinalIgnoreCase);

        Assert.True(Verifier(Secret).Verify(Body, upper).IsVerified);
        Assert.True(Verifier(Secret).Verify(Body, name => lookup.GetValueOrDefault(name)).IsVerified);
    }

    [Fact]
    public void SvixHeaderNames_Verify()
    {
        var headers = WebhookScheme.Svix.Sign(Secret, "msg_svix", SentAt, Body);

        Assert.True(headers.ContainsKey("svix-signature"));
        Assert.Equal("msg_svix", new WebhookVerifier(WebhookScheme.Svix, [Secret], timeProvider: new FakeTimeProvider(SentAt)).Verify(Body, headers).MessageId);
        Assert.Equal(WebhookFailure.MissingHeader, Verifier(Secret).Verify(Body, headers).Failure);
    }

    [Fact]
    public void Shopify_VerifiesWithEventIdAndRejectsTamperedBody()
    {
        var headers = WebhookScheme.Shopify.Sign("shpss_secret", "evt-shop-1", SentAt, Body);
        var verifier = new WebhookVerifier(WebhookScheme.Shopify, "shpss_secret");

        Assert.Equal("evt-shop-1", verifier.Verify(Body, headers).MessageId);
        Assert.Equal(WebhookFailure.NoMatchingSignature, verifier.Verify([.. Body, (byte)' '], headers).Failure);
    }

    [Fact]
    public void GitHub_UsesDeliveryHeaderAsId()
    {
        var headers = WebhookScheme.GitHub.Sign("gh", "72d3162e-cc78-11e3-81ab-4c9367dc0958", SentAt, Body);

        Assert.Equal("72d3162e-cc78-11e3-81ab-4c9367dc0958", new WebhookVerifier(WebhookScheme.GitHub, "gh").Verify(Body, headers).MessageId);
    }

    [Fact]
    public void MalformedSecret_IsRejectedAtConstruction() =>
        Assert.Throws<ArgumentException>(() => new WebhookVerifier(WebhookScheme.StandardWebhooks, "whsec_not base64!"));

    private static IReadOnlyDictionary<string, string> Sign(string secret) =>
        WebhookScheme.StandardWebhooks.Sign(secret, "msg_2Lx", SentAt, Body);

    private static WebhookVerifier Verifier(string secret, DateTimeOffset? now = null) =>
        new(WebhookScheme.StandardWebhooks, [secret], timeProvider: new FakeTimeProvider(now ?? SentAt));
}
