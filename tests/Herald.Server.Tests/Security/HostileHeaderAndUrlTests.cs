using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.Security;

/// <summary>
/// Custom headers are sent to receivers as given, so Herald takes only what HTTP can carry: names of visible ASCII
/// token characters, values of printable ASCII (0x20–0x7E). Before, non-ASCII values were stored and then failed
/// every delivery, and control characters were sent raw. Endpoint URLs with whitespace or control characters are
/// refused too.
/// </summary>
public sealed class HostileHeaderAndUrlTests(SecurityFixture fixture) : IClassFixture<SecurityFixture>
{
    public static TheoryData<string> HostileValues() =>
        ["café", "snow☃", "a\u0001b", "a\tb", "a\rb", "a\nb", "a\u007fb", "a\0b", "trailing\r\n"];

    public static TheoryData<string> HostileNames() =>
        ["X Note", "X-Noté", "X-Note\n", "X-Note:", "X\tNote", "X\0Note", "(X)"];

    /// <summary>The three ways headers are set: with a new endpoint, by replacing them, by patching them.</summary>
    private Task<HttpResponseMessage> SetHeaderAsync(int route, string name, string value)
    {
        var headers = new JsonObject { [name] = value };
        return route switch
        {
            0 => fixture.Admin.PostAsJsonAsync("/api/v1/app/acme/endpoint", new JsonObject { ["url"] = "https://example.com/h", ["headers"] = headers }),
            1 => fixture.Admin.PutAsJsonAsync("/api/v1/app/acme/endpoint/hook/headers", new JsonObject { ["headers"] = headers }),
            _ => fixture.Admin.PatchAsJsonAsync("/api/v1/app/acme/endpoint/hook/headers", new JsonObject { ["headers"] = headers }),
        };
    }

    [Theory]
    [MemberData(nameof(HostileValues))]
    public async Task HeaderValue_OutsidePrintableAscii_Returns422NamingTheHeader_OnEveryRoute_AndStoresNothing(string value)
    {
        for (var route = 0; route < 3; route++)
        {
            var before = await fixture.SnapshotAsync();

            var response = await SetHeaderAsync(route, "X-Note.Tenant", value);

            var error = await response.AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");
            var item = Assert.Single(error["detail"]!.AsArray())!;
            Assert.Equal("invalid_header_value", (string?)item["type"]);
            Assert.Equal(["body", "headers", "X-Note.Tenant"], item["loc"]!.AsArray().Select(l => (string?)l));
            Assert.Contains("X-Note.Tenant", (string?)item["msg"], StringComparison.Ordinal);
            Assert.Equal(before, await fixture.SnapshotAsync());
        }
    }

    [Theory]
    [MemberData(nameof(HostileNames))]
    public async Task HeaderName_NotAnHttpToken_Returns422_OnEveryRoute_AndStoresNothing(string name)
    {
        for (var route = 0; route < 3; route++)
        {
            var before = await fixture.SnapshotAsync();

            var response = await SetHeaderAsync(route, name, "fine");

            var error = await response.AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");
            Assert.Equal("invalid_header_name", (string?)error["detail"]![0]!["type"]);
            Assert.Equal(before, await fixture.SnapshotAsync());
        }
    }

    [Fact]
    public async Task HeaderValue_OfPrintableAscii_IsKept()
    {
        await (await SetHeaderAsync(2, "X-Printable", " !\"#$%&'()*+,-./09:;<=>?@AZ[\\]^_`az{|}~")).ReadObjectOrEmptyAsync(HttpStatusCode.NoContent);

        var headers = await (await fixture.Admin.GetAsync("/api/v1/app/acme/endpoint/hook/headers")).ReadObjectAsync(HttpStatusCode.OK);
        Assert.Equal(" !\"#$%&'()*+,-./09:;<=>?@AZ[\\]^_`az{|}~", (string?)headers["headers"]!["X-Printable"]);
        await (await fixture.Admin.PutAsJsonAsync("/api/v1/app/acme/endpoint/hook/headers", new { headers = new { } })).ReadObjectOrEmptyAsync(HttpStatusCode.NoContent);
    }

    [Theory]
    [InlineData("https://example.com/a\nb")]
    [InlineData("https://example.com/hook\n")]
    [InlineData("https://example.com/\r\nX-Injected: 1")]
    [InlineData("https://example.com/a\tb")]
    [InlineData("https://example.com/a\0b")]
    [InlineData("https://exa mple.com/")]
    [InlineData(" https://example.com/")]
    [InlineData("https://example.com/\u00a0")]
    [InlineData("https://example.com/\u0085")]
    public async Task EndpointUrl_WithWhitespaceOrControlCharacters_Returns422_AndStoresNothing(string url)
    {
        var before = await fixture.SnapshotAsync();

        var created = await fixture.Admin.PostAsJsonAsync("/api/v1/app/acme/endpoint", new { url });
        var patched = await fixture.Admin.PatchAsJsonAsync("/api/v1/app/acme/endpoint/hook", new { url });

        foreach (var response in new[] { created, patched })
        {
            var error = await response.AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");
            Assert.Equal("invalid_url", (string?)error["detail"]![0]!["type"]);
        }

        Assert.Equal(before, await fixture.SnapshotAsync());
    }
}

internal static class NoContentAssertions
{
    public static async Task ReadObjectOrEmptyAsync(this HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"Expected {(int)expected} but got {(int)response.StatusCode}: {text}");
    }
}
