using Herald.Server.Delivery;
using Herald.Server.Endpoints;
using Herald.Server.Messages;
using Microsoft.Extensions.Time.Testing;

namespace Herald.Server.Tests.Delivery;

/// <summary>What the dispatcher's holds keep of a delivery that has to wait for its turn.</summary>
public sealed class DeliveryHoldsTests
{
    [Fact]
    public void ParkedDelivery_CarryingItsPublishHandOff_IsParkedWithoutIt()
    {
        var holds = new DeliveryHolds(capacity: 1, new FakeTimeProvider());
        Assert.True(holds.HoldOrPark(Fresh("dlv_first")));

        Assert.False(holds.HoldOrPark(Fresh("dlv_second"))); // Over the capacity: parked until a slot is let go.

        var granted = Assert.Single(holds.Release(Fresh("dlv_first"))!);
        Assert.Equal("dlv_second", granted.Delivery.Id);
        Assert.Null(granted.Delivery.HandOff); // Its attempt reads the message and endpoint as they are when its turn comes.
    }

    private static DeliveryTask Fresh(string id) =>
        new(id, "app_1", "msg_1", "ep_1", Manual: false, Attempts: 0)
        {
            HandOff = new DeliveryHandOff(
                new Message { Id = "msg_1", ApplicationId = "app_1", Sequence = 1, EventType = "invoice.paid", Payload = [1], CreatedAt = DateTimeOffset.UnixEpoch },
                new SendingEndpoint(new HeraldEndpoint { Id = "ep_1", ApplicationId = "app_1", Url = "https://example.com/hook", CreatedAt = DateTimeOffset.UnixEpoch, UpdatedAt = DateTimeOffset.UnixEpoch }, [("whsec_x", null)])),
        };
}
