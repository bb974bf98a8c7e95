namespace Herald.Server.Tests.Infrastructure;

/// <summary>Small helpers that read responses the way a client would.</summary>
public static class ApiAssertions
{
    public static async Task<JsonObject> ReadObjectAsync(this HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"Expected {(int)expected} but got {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    /// <summary>
    /// Asserts an error response: status, JSON body with this <c>code</c> and a <c>detail</c> that says what was wrong — a
    /// non-empty string, or for a 422 Svix's list of <c>{loc, msg, type}</c> (HTTPValidationError).
    /// </summary>
    public static async Task<JsonObject> AssertErrorAsync(this HttpResponseMessage response, HttpStatusCode expected, string code)
    {
        var body = await response.ReadObjectAsync(expected);
        Assert.Equal(code, (string?)body["code"]);
        if (expected == HttpStatusCode.UnprocessableEntity)
        {
            var items = Assert.IsType<JsonArray>(body["detail"]);
            Assert.NotEmpty(items);
            Assert.All(items, item =>
            {
                Assert.NotEmpty(item!["loc"]!.AsArray());
                Assert.False(string.IsNullOrWhiteSpace((string?)item["msg"]), "msg must say what was wrong");
                Assert.False(string.IsNullOrWhiteSpace((string?)item["type"]), "type must name the problem");
            });
        }
        else
        {
            Assert.False(string.IsNullOrWhiteSpace((string?)body["detail"]), "detail must say what was wrong");
        }

        return body;
    }

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string url, string json, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json") };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return client.SendAsync(request);
    }

    public static Task<HttpResponseMessage> SendJsonAsync(this HttpClient client, HttpMethod method, string url, string json) =>
        client.SendAsync(new HttpRequestMessage(method, url) { Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json") });

    public static async Task<JsonObject> CreateAppAsync(this HttpClient client, string name = "Acme", string? uid = null)
    {
        var body = new JsonObject { ["name"] = name };
        if (uid is not null)
        {
            body["uid"] = uid;
        }

        return await (await client.PostAsJsonAsync("/api/v1/app", body)).ReadObjectAsync(HttpStatusCode.Created);
    }

    public static async Task CreateEventTypeAsync(this HttpClient client, string name) =>
        await (await client.PostAsJsonAsync("/api/v1/event-type", new JsonObject { ["name"] = name, ["description"] = name }))
            .ReadObjectAsync(HttpStatusCode.Created);

    public static async Task<JsonObject> CreateEndpointAsync(this HttpClient client, string appId, string url = "https://example.com/webhooks", JsonObject? extra = null)
    {
        var body = extra ?? [];
        body["url"] = url;
        return await (await client.PostAsJsonAsync($"/api/v1/app/{appId}/endpoint", body)).ReadObjectAsync(HttpStatusCode.Created);
    }

    public static async Task<JsonObject> PublishAsync(this HttpClient client, string appId, string eventType = "invoice.paid", JsonObject? extra = null)
    {
        var body = extra ?? [];
        body["eventType"] = eventType;
        body["payload"] ??= new JsonObject { ["amount"] = 42 };
        return await (await client.PostAsJsonAsync($"/api/v1/app/{appId}/msg", body)).ReadObjectAsync(HttpStatusCode.Accepted);
    }
}
