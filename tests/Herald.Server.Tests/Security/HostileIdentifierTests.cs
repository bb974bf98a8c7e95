using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.Security;

/// <summary>
/// Identifiers (uids, event-type names, event ids, channels, tags, feature flags, group names, consumer ids) are
/// refused with a 422 when they hold a line break, a control character or whitespace — anywhere, a trailing
/// newline included — and a refused request stores nothing. Before, <c>^…$</c> let "bad.ev\n" through: stored, then
/// a 500, then invalid JSON in webhook bodies and message lists.
/// </summary>
public sealed class HostileIdentifierTests(SecurityFixture fixture) : IClassFixture<SecurityFixture>
{
    private static readonly string[] Hostile = ["bad.ev\n", "bad.ev\r\n", "bad\rev", "bad\tev", "bad\0ev", "bad ev", "bad\u0085ev", "bad\u2028ev", "\n"];

    /// <summary>Each identifier field: the request that carries it ({v} is the value, JSON-escaped) and the location a 422 names.</summary>
    private static readonly (string Method, string Path, string Body, string Location)[] BodyFields =
    [
        ("POST", "/api/v1/app", """{"name":"X","uid":"{v}"}""", "body.uid"),
        ("PUT", "/api/v1/app/acme", """{"name":"X","uid":"{v}"}""", "body.uid"),
        ("POST", "/api/v1/app/acme/endpoint", """{"url":"https://example.com/h","uid":"{v}"}""", "body.uid"),
        ("POST", "/api/v1/app/acme/endpoint", """{"url":"https://example.com/h","channels":["{v}"]}""", "body.channels.0"),
        ("POST", "/api/v1/app/acme/endpoint", """{"url":"https://example.com/h","filterTypes":["{v}"]}""", "body.filterTypes.0"),
        ("PATCH", "/api/v1/app/acme/endpoint/hook", """{"eventTypes":["{v}"]}""", "body.eventTypes.0"),
        ("POST", "/api/v1/app/acme/msg", """{"eventType":"{v}","payload":{}}""", "body.eventType"),
        ("POST", "/api/v1/app/acme/msg", """{"eventType":"invoice.paid","eventId":"{v}","payload":{}}""", "body.eventId"),
        ("POST", "/api/v1/app/acme/msg", """{"eventType":"invoice.paid","channels":["{v}"],"payload":{}}""", "body.channels.0"),
        ("POST", "/api/v1/app/acme/msg", """{"eventType":"invoice.paid","tags":["{v}"],"payload":{}}""", "body.tags.0"),
        ("POST", "/api/v1/event-type", """{"name":"{v}","description":"d"}""", "body.name"),
        ("POST", "/api/v1/event-type", """{"name":"fine.name","description":"d","groupName":"{v}"}""", "body.groupName"),
        ("POST", "/api/v1/event-type", """{"name":"fine.name","description":"d","featureFlags":["{v}"]}""", "body.featureFlags.0"),
        ("PATCH", "/api/v1/event-type/invoice.paid", """{"groupName":"{v}"}""", "body.groupName"),
        ("POST", "/api/v1/app/acme/endpoint/hook/send-example", """{"eventType":"{v}"}""", "body.eventType"),
        ("POST", "/api/v1/app/acme/destination", """{"type":"pollingEndpoint","uid":"{v}"}""", "body.uid"),
        ("POST", "/api/v1/app/acme/destination", """{"type":"pollingEndpoint","channels":["{v}"]}""", "body.channels.0"),
        ("POST", "/api/v1/app/acme/msg/bulk-expunge", """{"ids":["{v}"]}""", "body.ids.0"),
    ];

    /// <summary>
    /// Identifiers in the path or the query; {v} is the value, percent-encoded. NUL is left out of paths: Kestrel
    /// refuses a path with %00 before routing (400), and the in-memory test client cannot even send one. The
    /// comma-separated event_types list trims each name (the SDKs send "a, b"), so only characters inside a name count there.
    /// </summary>
    private static readonly (string Method, string Path, string Location, Func<string, bool> Applies)[] UrlFields =
    [
        ("PUT", "/api/v1/event-type/{v}", "path.event_type_name", v => !v.Contains('\0')),
        ("GET", "/api/v1/app/acme/poller/sink/consumer/{v}", "path.consumer_id", v => !v.Contains('\0')),
        ("GET", "/api/v1/app/acme/msg?event_types={v}", "query.event_types.0", v => v.Trim().Length > 0 && v.Trim() != "bad.ev"),
        ("GET", "/api/v1/app/acme/msg?channel={v}", "query.channel.0", _ => true),
        ("GET", "/api/v1/app/acme/msg?tag={v}", "query.tag", _ => true),
    ];

    public static TheoryData<int, string> BodyCases()
    {
        var data = new TheoryData<int, string>();
        for (var field = 0; field < BodyFields.Length; field++)
        {
            foreach (var value in Hostile)
            {
                data.Add(field, value);
            }
        }

        return data;
    }

    public static TheoryData<int, string> UrlCases()
    {
        var data = new TheoryData<int, string>();
        for (var field = 0; field < UrlFields.Length; field++)
        {
            foreach (var value in Hostile.Where(UrlFields[field].Applies))
            {
                data.Add(field, value);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(BodyCases))]
    public async Task HostileIdentifier_InBody_Returns422NamingTheField_AndStoresNothing(int field, string value)
    {
        var (method, path, template, location) = BodyFields[field];
        var body = template.Replace("{v}", JsonEncodedText.Encode(value).ToString(), StringComparison.Ordinal);
        var before = await fixture.SnapshotAsync();

        var response = await fixture.Admin.SendJsonAsync(new HttpMethod(method), path, body);

        var error = await response.AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");
        Assert.Contains(error["detail"]!.AsArray(), item => string.Join('.', item!["loc"]!.AsArray().Select(l => (string?)l)) == location);
        Assert.Equal(before, await fixture.SnapshotAsync());
    }

    [Theory]
    [MemberData(nameof(UrlCases))]
    public async Task HostileIdentifier_InPathOrQuery_Returns422NamingIt_AndStoresNothing(int field, string value)
    {
        var (method, path, location, _) = UrlFields[field];
        var before = await fixture.SnapshotAsync();
        var request = new HttpRequestMessage(new HttpMethod(method), path.Replace("{v}", Uri.EscapeDataString(value), StringComparison.Ordinal));
        if (method != "GET")
        {
            request.Content = new StringContent("""{"description":"d"}""", System.Text.Encoding.UTF8, "application/json");
        }

        var response = await fixture.Admin.SendAsync(request);

        var error = await response.AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");
        Assert.Contains(error["detail"]!.AsArray(), item => string.Join('.', item!["loc"]!.AsArray().Select(l => (string?)l)) == location);
        Assert.Equal(before, await fixture.SnapshotAsync());
    }

    [Fact]
    public async Task EventTypeEndingInNewline_IsRefused_NotStored_AndCannotBeSentAsExample()
    {
        var created = await fixture.Admin.PostAsJsonAsync("/api/v1/event-type", new { name = "bad.ev\n", description = "d" });
        await created.AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");

        var names = (await (await fixture.Admin.GetAsync("/api/v1/event-type?include_archived=true&limit=250")).ReadObjectAsync(HttpStatusCode.OK))["data"]!
            .AsArray().Select(e => (string?)e!["name"]).ToList();
        Assert.DoesNotContain(names, n => n!.StartsWith("bad.ev", StringComparison.Ordinal));

        var example = await fixture.Admin.PostAsJsonAsync("/api/v1/app/acme/endpoint/hook/send-example", new { eventType = "bad.ev\n" });
        await example.AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");
        Assert.Empty((await (await fixture.Admin.GetAsync("/api/v1/app/acme/msg")).ReadObjectAsync(HttpStatusCode.OK))["data"]!.AsArray());
    }

    [Theory]
    [InlineData("Acme\nInc")]
    [InlineData("Acme\r")]
    [InlineData("Acme\tInc")]
    [InlineData("Acme\0")]
    [InlineData("Acme\u001b[31m")]
    public async Task ApplicationName_WithControlCharacters_Returns422_AndStoresNothing(string name)
    {
        var before = await fixture.SnapshotAsync();

        var response = await fixture.Admin.PostAsJsonAsync("/api/v1/app", new { name });

        var error = await response.AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");
        Assert.Equal("invalid_characters", (string?)error["detail"]![0]!["type"]);
        Assert.Equal(before, await fixture.SnapshotAsync());
    }

    [Theory]
    [InlineData("line one\nline two")]
    [InlineData("tab\tseparated")]
    public async Task Description_MayHoldLineBreaksAndTabs(string description)
    {
        var response = await fixture.Admin.PatchAsJsonAsync("/api/v1/event-type/invoice.paid", new { description });

        var updated = await response.ReadObjectAsync(HttpStatusCode.OK);
        Assert.Equal(description, (string?)updated["description"]);
    }

    [Theory]
    [InlineData("nul\0")]
    [InlineData("escape\u001b[2J")]
    public async Task Description_WithOtherControlCharacters_Returns422(string description)
    {
        var response = await fixture.Admin.PatchAsJsonAsync("/api/v1/event-type/invoice.paid", new { description });

        await response.AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");
    }

    [Theory]
    [InlineData("key\n", "v")]
    [InlineData("key", "v\0")]
    public async Task Metadata_WithControlCharacters_Returns422_AndStoresNothing(string key, string value)
    {
        var before = await fixture.SnapshotAsync();

        var response = await fixture.Admin.PostAsJsonAsync("/api/v1/app", new JsonObject { ["name"] = "M", ["metadata"] = new JsonObject { [key] = value } });

        await response.AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");
        Assert.Equal(before, await fixture.SnapshotAsync());
    }
}
