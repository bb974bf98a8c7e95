using Microsoft.Extensions.Time.Testing;

namespace Herald.Receiver.Tests.Verification;

/// <summary>The project's published vectors (tests/vectors/signatures.json), every case.</summary>
public sealed class SignatureVectorTests
{
    private static readonly JsonNode Vectors = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "vectors", "signatures.json")))!;

    public static TheoryData<int> StandardWebhooksCases() => Indexes("standardWebhooks");

    public static TheoryData<int> StandardWebhooksMustFailCases() => Indexes("standardWebhooksMustFail");

    public static TheoryData<int> GitHubCases() => Indexes("githubXHubSignature256");

    [Theory]
    [MemberData(nameof(StandardWebhooksCases))]
    public void StandardWebhooksVector_Verifies(int index)
    {
        var vector = Vectors["standardWebhooks"]![index]!;
        var result = VerifyStandard(vector);

        Assert.True(result.IsVerified, result.FailureMessage);
        Assert.Equal((string)vector["msgId"]!, result.MessageId);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds((long)vector["timestamp"]!), result.Timestamp);
    }

    [Theory]
    [MemberData(nameof(StandardWebhooksCases))]
    public void StandardWebhooksVector_SignerProducesTheSameSignature(int index)
    {
        var vector = Vectors["standardWebhooks"]![index]!;
        var headers = WebhookScheme.StandardWebhooks.Sign(
            (string)vector["secret"]!, (string)vector["msgId"]!,
            DateTimeOffset.FromUnixTimeSeconds((long)vector["timestamp"]!), Encoding.UTF8.GetBytes((string)vector["payload"]!));

        Assert.Equal((string)vector["signature"]!, headers["webhook-signature"]);
    }

    [Theory]
    [MemberData(nameof(StandardWebhooksMustFailCases))]
    public void StandardWebhooksMustFailVector_IsRejected(int index)
    {
        var result = VerifyStandard(Vectors["standardWebhooksMustFail"]![index]!);

        Assert.False(result.IsVerified);
        Assert.Equal(WebhookFailure.NoMatchingSignature, result.Failure);
    }

    [Theory]
    [MemberData(nameof(GitHubCases))]
    public void GitHubVector_VerifiesAndSignerAgrees(int index)
    {
        var vector = Vectors["githubXHubSignature256"]![index]!;
        var secret = (string)vector["secret"]!;
        var body = Encoding.UTF8.GetBytes((string)vector["payload"]!);
        var headers = new Dictionary<string, string> { ["x-hub-signature-256"] = (string)vector["signature"]! };

        var result = new WebhookVerifier(WebhookScheme.GitHub, secret).Verify(body, headers);

        Assert.True(result.IsVerified, result.FailureMessage);
        Assert.Null(result.Timestamp);
        Assert.Equal((string)vector["signature"]!, WebhookScheme.GitHub.Sign(secret, "d1", DateTimeOffset.UnixEpoch, body)["X-Hub-Signature-256"]);
    }

    private static WebhookVerificationResult VerifyStandard(JsonNode vector)
    {
        var timestamp = DateTimeOffset.FromUnixTimeSeconds((long)vector["timestamp"]!);
        var verifier = new WebhookVerifier(WebhookScheme.StandardWebhooks, [(string)vector["secret"]!], timeProvider: new FakeTimeProvider(timestamp));
        var headers = new Dictionary<string, string>
        {
            ["webhook-id"] = (string)vector["msgId"]!,
            ["webhook-timestamp"] = ((long)vector["timestamp"]!).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["webhook-signature"] = (string)vector["signature"]!,
        };
        return verifier.Verify(Encoding.UTF8.GetBytes((string)vector["payload"]!), headers);
    }

    private static TheoryData<int> Indexes(string name)
    {
        var data = new TheoryData<int>();
        for (var i = 0; i < Vectors[name]!.AsArray().Count; i++)
        {
            data.Add(i);
        }

        return data;
    }
}
