using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using StandardWebhooks;

namespace Herald.Receiver.Tests.Verification;

/// <summary>Our signers and verifiers against the real libraries: the StandardWebhooks NuGet package and Stripe.net.</summary>
public sealed class ReferenceLibraryTests
{
    private const string StandardSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private const string StripeSecret = "whsec_test_secret_for_stripe_format_0123";
    private const string StripeEventJson = """{"id":"evt_1Herald","object":"event","api_version":"2025-10-29.clover","type":"invoice.paid","data":{"object":{"id":"in_1"}}}""";

    [Fact]
    public void StandardWebhooksPackage_Signs_WeVerify()
    {
        // The package checks timestamps against the real clock, so the message is signed "now".
        var now = DateTimeOffset.UtcNow;
        const string body = """{"type":"invoice.paid","n":1}""";
        var signature = new StandardWebhook(StandardSecret).Sign("msg_ref_1", now, body);

        var result = new WebhookVerifier(WebhookScheme.StandardWebhooks, [StandardSecret], timeProvider: new FakeTimeProvider(now))
            .Verify(Encoding.UTF8.GetBytes(body), StandardHeaders("msg_ref_1", now, signature));

        Assert.True(result.IsVerified, result.FailureMessage);
        Assert.Equal("msg_ref_1", result.MessageId);
    }

    [Fact]
    public void WeSign_StandardWebhooksPackageVerifies_AndRejectsATamperedBody()
    {
        const string body = """{"type":"invoice.paid","n":2}""";
        var headers = WebhookScheme.StandardWebhooks.Sign(StandardSecret, "msg_ref_2", DateTimeOffset.UtcNow, Encoding.UTF8.GetBytes(body));

        new StandardWebhook(StandardSecret).Verify(body, ToHeaderDictionary(headers));
        Assert.ThrowsAny<Exception>(() => new StandardWebhook(StandardSecret).Verify(body.Replace('2', '3'), ToHeaderDictionary(headers)));
    }

    [Fact]
    public void WeSignWithTwoSecrets_NewestFirst_StandardWebhooksPackageVerifiesWithEither()
    {
        // The package never checks the LAST entry of a multi-signature header, so during rotation the newest key goes first.
        const string oldSecret = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
        const string body = """{"rotation":true}""";
        var now = DateTimeOffset.UtcNow;
        var newest = WebhookScheme.StandardWebhooks.Sign(StandardSecret, "msg_rot", now, Encoding.UTF8.GetBytes(body));
        var older = WebhookScheme.StandardWebhooks.Sign(oldSecret, "msg_rot", now, Encoding.UTF8.GetBytes(body));
        var headers = new Dictionary<string, string>(newest) { ["webhook-signature"] = $"{newest["webhook-signature"]} {older["webhook-signature"]}" };

        new StandardWebhook(StandardSecret).Verify(body, ToHeaderDictionary(headers));
        Assert.True(new WebhookVerifier(WebhookScheme.StandardWebhooks, [oldSecret]).Verify(Encoding.UTF8.GetBytes(body), headers).IsVerified);
    }

    [Fact]
    public void WeSignStripeFormat_StripeEventUtilityAccepts()
    {
        var now = DateTimeOffset.UtcNow;
        var header = WebhookScheme.Stripe.Sign(StripeSecret, "ignored", now, Encoding.UTF8.GetBytes(StripeEventJson))["Stripe-Signature"];

        Stripe.EventUtility.ValidateSignature(StripeEventJson, header, StripeSecret, 300, now.ToUnixTimeSeconds());
        var stripeEvent = Stripe.EventUtility.ConstructEvent(StripeEventJson, header, StripeSecret, throwOnApiVersionMismatch: false);
        Assert.Equal("evt_1Herald", stripeEvent.Id);
        Assert.Throws<Stripe.StripeException>(() => Stripe.EventUtility.ValidateSignature(StripeEventJson, header, StripeSecret + "x", 300, now.ToUnixTimeSeconds()));
    }

    [Fact]
    public void StripeDocumentedSignature_WeAccept_WithTheEventIdAsMessageId()
    {
        // Exactly as Stripe documents it: t=<unix>,v1=hex(HMAC_SHA256(key: secret, t + "." + body)).
        var now = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
        var t = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var v1 = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(StripeSecret), Encoding.UTF8.GetBytes(t + "." + StripeEventJson)));
        var headers = new Dictionary<string, string> { ["Stripe-Signature"] = $"t={t},v1={v1},v0=6ffbb59b2300aae63f272406069a9788598b792a944a07aba816edb039989a39" };

        var result = new WebhookVerifier(WebhookScheme.Stripe, [StripeSecret], timeProvider: new FakeTimeProvider(now))
            .Verify(Encoding.UTF8.GetBytes(StripeEventJson), headers);

        Assert.True(result.IsVerified, result.FailureMessage);
        Assert.Equal("evt_1Herald", result.MessageId);
        Assert.Equal(now, result.Timestamp);
    }

    internal static Dictionary<string, string> StandardHeaders(string id, DateTimeOffset timestamp, string signature) => new()
    {
        ["webhook-id"] = id,
        ["webhook-timestamp"] = timestamp.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
        ["webhook-signature"] = signature,
    };

    private static HeaderDictionary ToHeaderDictionary(IReadOnlyDictionary<string, string> headers)
    {
        var result = new HeaderDictionary();
        foreach (var (name, value) in headers)
        {
            result[name] = value;
        }

        return result;
    }
}
