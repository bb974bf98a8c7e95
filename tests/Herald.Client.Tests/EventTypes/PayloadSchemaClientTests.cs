using Herald.Client.Tests.Infrastructure;
using Herald.Server.Tests.Infrastructure;

namespace Herald.Client.Tests.EventTypes;

/// <summary>The C# client against a server that checks payloads against event type schemas.</summary>
public sealed class PayloadSchemaClientTests : IDisposable
{
    private readonly HeraldApplication _server = new HeraldApplication().With("Herald:EventTypes:PayloadValidation", "Declared");
    private readonly HeraldClient _herald;

    public PayloadSchemaClientTests() => _herald = _server.CreateHeraldClient();

    public void Dispose()
    {
        _herald.Dispose();
        _server.Dispose();
    }

    [Fact]
    public async Task CreateMessage_PayloadBreakingTheSchema_ThrowsWithTheFailingPath()
    {
        await _herald.EventTypes.CreateAsync(new EventTypeIn
        {
            Name = "order.created",
            Description = "An order",
            Schemas = TestEnvironment.Json("""{"1": {"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}}}}"""),
        });
        await _herald.Applications.CreateAsync(new ApplicationIn { Name = "Shop", Uid = "shop" });

        var e = await Assert.ThrowsAsync<HeraldApiException>(() => _herald.Messages.CreateAsync("shop",
            new MessageIn { EventType = "order.created", Payload = TestEnvironment.Json("""{"id": "seven"}""") }));

        Assert.Equal((HttpStatusCode.UnprocessableEntity, "payload_schema_mismatch"), (e.StatusCode, e.Code));
        Assert.Equal(["body", "payload", "id"], Assert.Single(e.Errors).Loc);
    }

    [Fact]
    public async Task CreateEventType_UnusableSchema_ThrowsInvalidSchema()
    {
        var e = await Assert.ThrowsAsync<HeraldApiException>(() => _herald.EventTypes.CreateAsync(new EventTypeIn
        {
            Name = "order.created",
            Description = "An order",
            Schemas = TestEnvironment.Json("""{"1": {"type": 5}}"""),
        }));

        Assert.Equal("invalid_schema", Assert.Single(e.Errors).Type);
    }
}
