using System.Text;
using Herald.Server.Delivery;
using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.Delivery;

/// <summary>WebhookSigner against the published Standard Webhooks vectors (tests/vectors/signatures.json, a copy of the project's shared vectors).</summary>
public sealed class WebhookSignerTests
{
    // A committed copy, so the tests do not depend on where a clone sits relative to the shared folder.
    private static readonly JsonObject Vectors = JsonNode.Parse(File.ReadAllText(
        Path.Combine(Requirements.RepositoryRoot, "tests", "vectors", "signatures.json")))!.AsObject();

    public static TheoryData<int> ValidVectors() => [.. Enumerable.Range(0, Vectors["standardWebhooks"]!.AsArray().Count)];

    public static TheoryData<int> MustFailVectors() => [.. Enumerable.Range(0, Vectors["standardWebhooksMustFail"]!.AsArray().Count)];

    [Theory]
    [MemberData(nameof(ValidVectors))]
    public void Sign_ProducesThePublishedSignature(int index)
    {
        var vector = Vectors["standardWebhooks"]![index]!;

        var signature = Sign(vector, (string)vector["secret"]!);

        Assert.Equal((string)vector["signature"]!, signature);
    }

    [Theory]
    [MemberData(nameof(MustFailVectors))]
    public void Sign_DoesNotMatchAWrongSignature(int index)
    {
        var vector = Vectors["standardWebhooksMustFail"]![index]!;

        var signature = Sign(vector, (string)vector["secret"]!);

        Assert.NotEqual((string)vector["signature"]!, signature);
    }

    [Fact]
    public void Sign_WithSeveralSecrets_GivesOneSignaturePerSecretInOrder_SpaceSeparated()
    {
        var first = Vectors["standardWebhooks"]![0]!;
        var otherSecret = (string)Vectors["standardWebhooks"]![1]!["secret"]!;

        var header = WebhookSigner.Sign((string)first["msgId"]!, DateTimeOffset.FromUnixTimeSeconds((long)first["timestamp"]!),
            Encoding.UTF8.GetBytes((string)first["payload"]!), [(string)first["secret"]!, otherSecret]);

        var parts = header.Split(' ');
        Assert.Equal(2, parts.Length);
        Assert.Equal((string)first["signature"]!, parts[0]);
        Assert.Equal(Sign(first, otherSecret), parts[1]);
        Assert.NotEqual(parts[0], parts[1]);
    }

    [Fact]
    public void Sign_AcceptsTheSecretWithOrWithoutItsPrefix()
    {
        var vector = Vectors["standardWebhooks"]![0]!;
        var bare = ((string)vector["secret"]!)["whsec_".Length..];

        Assert.Equal((string)vector["signature"]!, Sign(vector, bare));
    }

    private static string Sign(JsonNode vector, string secret) =>
        WebhookSigner.Sign((string)vector["msgId"]!, DateTimeOffset.FromUnixTimeSeconds((long)vector["timestamp"]!),
            Encoding.UTF8.GetBytes((string)vector["payload"]!), [secret]);
}
