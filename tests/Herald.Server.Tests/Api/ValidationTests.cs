using System.Net.Http.Headers;
using System.Text;
using Herald.Server.Tests.Infrastructure;

namespace Herald.Server.Tests.Api;

/// <summary>Bad input gets a precise 4xx with a machine-readable code, never a 5xx, and changes nothing.</summary>
public sealed class ValidationTests(OneApplicationFixture fixture) : IClassFixture<OneApplicationFixture>
{
    private const string AppsUrl = "/api/v1/app";

    /// <summary>The routes that read a JSON body; {app} is the fixture's application.</summary>
    private static readonly (string Method, string Path)[] WriteRoutes =
    [
        ("POST", "/api/v1/app"),
        ("PUT", "/api/v1/app/{app}"),
        ("PATCH", "/api/v1/app/{app}"),
        ("POST", "/api/v1/app/{app}/endpoint"),
        ("POST", "/api/v1/app/{app}/msg"),
        ("POST", "/api/v1/event-type"),
        ("PUT", "/api/v1/event-type/invoice.paid"),
        ("POST", "/api/v1/auth/app-portal-access/{app}"),
    ];

    private Task<HttpResponseMessage> SendAsync(string method, string path, string body, Encoding? encoding = null, HttpClient? client = null)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path.Replace("{app}", fixture.AppId))
        {
            Content = new ByteArrayContent((encoding ?? Encoding.UTF8).GetBytes(body)),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return (client ?? fixture.Admin).SendAsync(request);
    }

    public static TheoryData<string, string, string> MalformedBodies()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var (method, path) in WriteRoutes)
        {
            foreach (var body in new[] { "{", """{"name":}""", "", "[]", "\"str\"", "null", "42" })
            {
                data.Add(method, path, body);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(MalformedBodies))]
    public async Task MalformedJson_Returns400InvalidJson_AndChangesNothing(string method, string path, string body)
    {
        var before = await fixture.SnapshotAsync();

        var response = await SendAsync(method, path, body);

        await response.AssertErrorAsync(HttpStatusCode.BadRequest, "invalid_json");
        Assert.Equal(before, await fixture.SnapshotAsync());
    }

    [Theory]
    [InlineData("/api/v1/app", """{"name":5}""", """["body","name"]""", "expected a string")]
    [InlineData("/api/v1/app", """{"name":"a","throttleRate":"5"}""", """["body","throttleRate"]""", "expected an integer")]
    [InlineData("/api/v1/app", """{"name":"a","throttleRate":2.5}""", """["body","throttleRate"]""", "expected an integer")]
    [InlineData("/api/v1/app", """{"name":"a","uid":["a"]}""", """["body","uid"]""", "expected a string")]
    [InlineData("/api/v1/app", """{"name":"a","metadata":{"k":1}}""", """["body","metadata","k"]""", "expected a string")]
    [InlineData("/api/v1/app", """{"name":"a","metadata":"k=v"}""", """["body","metadata"]""", "expected an object of strings")]
    [InlineData("/api/v1/app/{app}/msg", """{"eventType":"a","payload":{},"tags":"x"}""", """["body","tags"]""", "expected an array of strings")]
    [InlineData("/api/v1/app/{app}/msg", """{"eventType":"a","payload":{},"application":5}""", """["body","application"]""", "expected an object")]
    [InlineData("/api/v1/event-type", """{"name":"a","archived":"yes"}""", """["body","archived"]""", "expected true or false")]
    [InlineData("/api/v1/auth/app-portal-access/{app}", """{"expiry":1.5}""", """["body","expiry"]""", "expected an integer")]
    public async Task WrongType_Returns422_PointingAtTheField_AndSayingWhatWasExpected(string path, string body, string loc, string expected)
    {
        var before = await fixture.SnapshotAsync();

        var error = await (await SendAsync("POST", path, body)).AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");

        var item = error["detail"]![0]!;
        Assert.Equal(loc, item["loc"]!.ToJsonString());
        Assert.Equal("invalid_type", (string?)item["type"]);
        Assert.Equal($"has the wrong type ({expected}).", (string?)item["msg"]);
        Assert.Equal(before, await fixture.SnapshotAsync());
    }

    [Theory]
    [InlineData("POST", "/api/v1/app", "{}", "name")]
    [InlineData("POST", "/api/v1/app", """{"name":null}""", "name")]
    [InlineData("PUT", "/api/v1/app/{app}", """{"uid":"acme"}""", "name")]
    [InlineData("POST", "/api/v1/app/{app}/endpoint", """{"description":"no url"}""", "url")]
    [InlineData("POST", "/api/v1/app/{app}/msg", """{"payload":{}}""", "eventType")]
    [InlineData("POST", "/api/v1/app/{app}/msg", """{"eventType":"invoice.paid"}""", "payload")]
    [InlineData("POST", "/api/v1/event-type", """{"description":"no name"}""", "name")]
    public async Task MissingRequiredField_Returns422Missing(string method, string path, string body, string field)
    {
        var before = await fixture.SnapshotAsync();

        var error = await (await SendAsync(method, path, body)).AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");

        var item = Assert.Single(error["detail"]!.AsArray(), e => e!["loc"]!.ToJsonString() == $"""["body","{field}"]""");
        Assert.Equal("missing", (string?)item!["type"]);
        Assert.Equal(before, await fixture.SnapshotAsync());
    }

    [Theory]
    [InlineData("POST", "/api/v1/app", """{"name":"{257}"}""", "name")]
    [InlineData("PATCH", "/api/v1/app/{app}", """{"name":"{257}"}""", "name")]
    [InlineData("POST", "/api/v1/app/{app}/endpoint", """{"url":"https://example.com","description":"{4097}"}""", "description")]
    [InlineData("POST", "/api/v1/event-type", """{"name":"long.description","description":"{4097}"}""", "description")]
    public async Task OverlongString_Returns422StringTooLong(string method, string path, string body, string field)
    {
        var before = await fixture.SnapshotAsync();

        var response = await SendAsync(method, path, body.Replace("{257}", new string('n', 257)).Replace("{4097}", new string('d', 4097)));

        var error = await response.AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");
        Assert.Equal($"""["body","{field}"]""", error["detail"]![0]!["loc"]!.ToJsonString());
        Assert.Equal("string_too_long", (string?)error["detail"]![0]!["type"]);
        Assert.Equal(before, await fixture.SnapshotAsync());
    }

    [Fact]
    public async Task LongestAllowedStrings_AreAccepted()
    {
        // The boundary of the test above: 256 and 4096 characters are fine.
        var app = await (await SendAsync("POST", AppsUrl, $$"""{"name":"{{new string('n', 256)}}"}""")).ReadObjectAsync(HttpStatusCode.Created);
        var eventType = await (await SendAsync("POST", "/api/v1/event-type", $$"""{"name":"max.description","description":"{{new string('d', 4096)}}"}"""))
            .ReadObjectAsync(HttpStatusCode.Created);

        Assert.Equal(256, ((string)app["name"]!).Length);
        Assert.Equal(4096, ((string)eventType["description"]!).Length);
    }

    [Fact]
    public async Task EscapedSurrogatePair_IsAWholeCharacter_AndIsAccepted()
    {
        // The other side of the hostile bodies with half a pair: "\uD83D\uDE00" is one emoji.
        var published = await (await SendAsync("POST", "/api/v1/app/{app}/msg", """{"eventType":"invoice.paid","payload":{"mood":"\uD83D\uDE00"}}"""))
            .ReadObjectAsync(HttpStatusCode.Accepted);
        var read = await (await fixture.Admin.GetAsync($"/api/v1/app/{fixture.AppId}/msg/{published["id"]}")).ReadObjectAsync(HttpStatusCode.OK);

        Assert.Equal("\U0001F600", (string?)read["payload"]!["mood"]);
    }

    /// <summary>A valid application body of exactly <paramref name="size"/> bytes (an unknown field pads it).</summary>
    private static string AppBodyOfSize(int size)
    {
        const string start = "{\"name\":\"Big\",\"padding\":\"";
        var body = start + new string('x', size - start.Length - 2) + "\"}";
        Assert.Equal(size, Encoding.UTF8.GetByteCount(body));
        return body;
    }

    [Fact]
    public async Task BodyOverTheConfiguredLimit_Returns413_AndChangesNothing()
    {
        using var herald = new HeraldApplication().With("Herald:Api:MaxRequestBodyBytes", "2048");
        var admin = herald.CreateAdminClient();
        var appId = (string)(await admin.CreateAppAsync())["id"]!;

        await (await admin.PostJsonAsync(AppsUrl, AppBodyOfSize(2049))).AssertErrorAsync(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
        await (await admin.PostJsonAsync(AppsUrl, AppBodyOfSize(4096), "with-key")).AssertErrorAsync(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
        var message = $$$"""{"eventType":"invoice.paid","payload":{"text":"{{{new string('x', 2048)}}}"}}""";
        await (await admin.PostJsonAsync($"/api/v1/app/{appId}/msg", message)).AssertErrorAsync(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");

        // Without Content-Length (chunked), the limit is enforced while reading.
        var chunked = new HttpRequestMessage(HttpMethod.Post, AppsUrl) { Content = new UnknownLengthContent(Encoding.UTF8.GetBytes(AppBodyOfSize(3000))) };
        chunked.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        Assert.Null(chunked.Content.Headers.ContentLength);
        await (await admin.SendAsync(chunked)).AssertErrorAsync(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");

        var apps = await (await admin.GetAsync(AppsUrl)).ReadObjectAsync(HttpStatusCode.OK);
        Assert.Single(apps["data"]!.AsArray());
        var messages = await (await admin.GetAsync($"/api/v1/app/{appId}/msg")).ReadObjectAsync(HttpStatusCode.OK);
        Assert.Empty(messages["data"]!.AsArray());
        await (await admin.PostJsonAsync(AppsUrl, AppBodyOfSize(2048))).ReadObjectAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task BodyOverTheDefaultLimitOf1MiB_Returns413()
    {
        var before = await fixture.SnapshotAsync();

        var response = await fixture.Admin.PostJsonAsync(AppsUrl, AppBodyOfSize(1024 * 1024 * 11 / 10));

        await response.AssertErrorAsync(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
        Assert.Equal(before, await fixture.SnapshotAsync());
    }

    [Theory]
    [InlineData("GET", "/api/v1/nothing-here")]
    [InlineData("POST", "/api/v1/nothing-here")]
    [InlineData("GET", "/api/v1/app/{app}/nothing-here")]
    [InlineData("GET", "/api/v2/app")]
    public async Task UnknownRoute_Returns404Json(string method, string path)
    {
        var response = await SendAsync(method, path, "{}");

        await response.AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("DELETE", "/api/v1/app")]
    [InlineData("PUT", "/api/v1/app")]
    [InlineData("POST", "/api/v1/app/{app}")]
    [InlineData("PATCH", "/api/v1/event-type")]
    [InlineData("PUT", "/api/v1/app/{app}/msg")]
    public async Task WrongMethod_Returns405Json_AndChangesNothing(string method, string path)
    {
        var before = await fixture.SnapshotAsync();

        var response = await SendAsync(method, path, """{"name":"Acme"}""");

        await response.AssertErrorAsync(HttpStatusCode.MethodNotAllowed, "method_not_allowed");
        Assert.Equal(before, await fixture.SnapshotAsync());
    }

    [Theory]
    [InlineData("POST", "/api/v1/app?get_if_exists=maybe", "get_if_exists")]
    [InlineData("GET", "/api/v1/event-type?include_archived=perhaps", "include_archived")]
    [InlineData("GET", "/api/v1/event-type?with_content=1", "with_content")]
    public async Task UnparsableQueryFlag_Returns422NamingIt_AndCreatesNothing(string method, string url, string parameter)
    {
        var before = await fixture.SnapshotAsync();

        var response = await SendAsync(method, url, method == "POST" ? """{"name":"Maybe","uid":"maybe"}""" : "");

        var body = await response.AssertErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");
        Assert.Equal($"[\"query\",\"{parameter}\"]", body["detail"]![0]!["loc"]!.ToJsonString());
        Assert.Equal("invalid_boolean", (string?)body["detail"]![0]!["type"]);
        Assert.Equal(before, await fixture.SnapshotAsync());
    }

    private const string Latin1 = "latin1:";

    private static string Nested(int depth, string open, string close, string inner = "1") =>
        string.Concat(Enumerable.Repeat(open, depth)) + inner + string.Concat(Enumerable.Repeat(close, depth));

    /// <summary>Bodies no create route may accept. A body starting with "latin1:" is sent in Latin-1, i.e. as invalid UTF-8.</summary>
    public static TheoryData<string, string> HostileBodies()
    {
        string[] anyTarget =
        [
            Nested(1000, "[", "]"),
            "{\"payload\":" + Nested(1000, "{\"a\":", "}") + "}",
            """{"name":null,"uid":null,"throttleRate":null,"metadata":null,"url":null,"description":null,"disabled":null,"eventTypes":null,"channels":null,"secret":null,"headers":null,"eventId":null,"eventType":null,"payload":null,"tags":null,"application":null,"schemas":null,"archived":null,"deprecated":null,"groupName":null,"featureFlags":null}""",
            """{"name":NaN,"url":Infinity,"eventType":-Infinity}""",
            """{"name":"Acme","url":"https://example.com","eventType":"x.y","payload":{}} {"again":true}""",
            """{/* comment */"name":"Acme"}""",
            """{"name":"Acme",}""",
            """{"name":"Acme","name":5,"url":5,"eventType":5,"payload":5}""",
            """{"name":"\uD800","uid":"\uDFFF\uD800","url":"\uD800","eventType":"\uD800","payload":{"\uD800":"\uDC00"}}""",
            Latin1 + "{\"name\":\"\u00ff\u00fe\",\"url\":\"https://\u00ff.example\",\"eventType\":\"\u00ff\"}",
            "{\"" + new string('k', 100_000) + "\":1}",
            """{"name":1e400,"throttleRate":1e400,"url":1e400,"eventType":1e400,"payload":1e400}""",
            "{\"name\":\"a\u0000b\",\"uid\":\"\u0000\",\"url\":\"\u0000\",\"eventType\":\"\u0000\",\"payload\":\"\u0000\"}",
        ];

        var data = new TheoryData<string, string>();
        foreach (var target in new[] { "/api/v1/app", "/api/v1/app/{app}/endpoint", "/api/v1/app/{app}/msg", "/api/v1/event-type" })
        {
            foreach (var body in anyTarget)
            {
                data.Add(target, body);
            }
        }

        foreach (var body in new[]
        {
            """{"name":"Acme","throttleRate":99999999999999999999999}""",
            """{"name":"Acme","throttleRate":-0}""",
            """{"name":"Acme","throttleRate":"NaN"}""",
            """{"name":"Acme","uid":"a\u0000b"}""",
            """{"name":"Acme","uid":"line\nbreak"}""",
            """{"name":"Acme","uid":"üñíçødé"}""",
            """{"name":"Acme","uid":"app_looks_like_an_id"}""",
            """{"name":"Acme","metadata":{"k":null}}""",
            """{"name":"Acme","metadata":[]}""",
            """{"name":"Acme","uid":"acme"}""",
        })
        {
            data.Add("/api/v1/app", body);
        }

        foreach (var body in new[]
        {
            """{"url":"javascript:alert(1)"}""",
            """{"url":"https://user:pass@example.com/"}""",
            """{"url":"file:///etc/passwd"}""",
            "{\"url\":\"https://example.com/" + new string('a', 3000) + "\"}",
            """{"url":"https://example.com","eventTypes":["no.such.type"]}""",
            """{"url":"https://example.com","channels":["bad channel"]}""",
            """{"url":"https://example.com","secret":"not-a-secret"}""",
            """{"url":"https://example.com","headers":{"Host":"evil.example"}}""",
            """{"url":"https://example.com","headers":{"X-A":"a\r\nInjected: 1"}}""",
            """{"url":"https://example.com","uid":"ep\u0007bell"}""",
        })
        {
            data.Add("/api/v1/app/{app}/endpoint", body);
        }

        foreach (var body in new[]
        {
            """{"eventType":"invoice.paid","payload":[]}""",
            """{"eventType":"invoice.paid","payload":"text"}""",
            """{"eventType":"invoice paid","payload":{}}""",
            """{"eventType":"invoice.paid","payload":{},"eventId":"evt\u0000"}""",
            """{"eventType":"invoice.paid","payload":{},"tags":["a","b","c","d","e","f"]}""",
            """{"eventType":"invoice.paid","payload":{},"channels":["1","2","3","4","5","6","7","8","9","10","11"]}""",
            """{"eventType":"invoice.paid","payload":{},"application":{"name":5}}""",
            """{"eventType":"invoice.paid","payload":{"note":"\uDC00 half a character"}}""",
            """{"eventType":"invoice.paid","payload":{"\uD800":1}}""",
        })
        {
            data.Add("/api/v1/app/{app}/msg", body);
        }

        foreach (var body in new[]
        {
            """{"name":"has space"}""",
            """{"name":"x.schemas","schemas":[]}""",
            """{"name":"x.schemas","schemas":{"1":5}}""",
            """{"name":"x.flags","featureFlags":["a b"]}""",
            """{"name":"x.archived","archived":"yes"}""",
            "{\"name\":\"" + new string('e', 257) + "\"}",
            """{"name":"invoice.paid"}""",
            """{"name":"x.surrogate","schemas":{"1":{"description":"\uD800"}}}""",
        })
        {
            data.Add("/api/v1/event-type", body);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(HostileBodies))]
    public async Task HostileBody_IsRefusedWith4xx_AndCreatesNothing(string path, string body)
    {
        var before = await fixture.SnapshotAsync();

        var response = body.StartsWith(Latin1, StringComparison.Ordinal)
            ? await SendAsync("POST", path, body[Latin1.Length..], Encoding.Latin1)
            : await SendAsync("POST", path, body);

        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode is >= 400 and < 500, $"{(int)response.StatusCode}: {text}");
        Assert.False(string.IsNullOrEmpty((string?)JsonNode.Parse(text)!["code"]), text);
        Assert.Equal(before, await fixture.SnapshotAsync());
    }

    /// <summary>A body whose length is not known up front, so it is sent without Content-Length.</summary>
    private sealed class UnknownLengthContent(byte[] bytes) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(bytes).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
