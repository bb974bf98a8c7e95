using System.Text;
using Herald.Server.Common;
using Herald.Server.Applications;
using Herald.Server.Endpoints;
using Herald.Server.Messages;
using Herald.Server.Storage;
using Herald.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Herald.Server.Tests.Storage;

/// <summary>The storage contract, used directly: rotation grace by an explicit clock, and per-application sequences.</summary>
public sealed class SqliteStoreTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2030, 1, 15, 12, 0, 0, TimeSpan.Zero);
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly Herald.Server.Delivery.DeliveryLease Lease = new("tests", T0.AddYears(1));

    private readonly HeraldApplication _herald = new();
    private readonly IHeraldStore _store;
    private readonly Ids _ids;

    public SqliteStoreTests()
    {
        _store = _herald.Services.GetRequiredService<IHeraldStore>();
        _ids = _herald.Services.GetRequiredService<Ids>();
    }

    public void Dispose() => _herald.Dispose();

    private static string Key(byte fill) => "whsec_" + Convert.ToBase64String(Enumerable.Repeat(fill, 32).ToArray());

    private async Task<Application> CreateApplicationAsync(string name)
    {
        var application = new Application { Id = _ids.New(Ids.Application), Name = name, CreatedAt = T0, UpdatedAt = T0 };
        await _store.CreateApplicationAsync(application, None);
        return application;
    }

    private async Task<string> CreateEndpointAsync(string firstKey)
    {
        var application = await CreateApplicationAsync("Acme");
        var endpoint = new HeraldEndpoint
        {
            Id = _ids.New(Ids.Endpoint),
            ApplicationId = application.Id,
            Url = "https://example.com/webhooks",
            CreatedAt = T0,
            UpdatedAt = T0,
        };
        await _store.CreateEndpointAsync(endpoint, new EndpointSecretKey(firstKey, T0), None);
        return endpoint.Id;
    }

    private async Task<List<string>> KeysAtAsync(string endpointId, DateTimeOffset now) =>
        (await _store.GetEndpointSecretsAsync(endpointId, now, None)).Select(k => k.Key).ToList();

    private NewMessage Message(string applicationId) => new()
    {
        Id = _ids.New(Ids.Message),
        ApplicationId = applicationId,
        EventType = "invoice.paid",
        Payload = Encoding.UTF8.GetBytes("""{"amount":42}"""),
        CreatedAt = T0,
    };

    [Fact]
    public async Task RotateSecret_PreviousKeyStaysValidUntilGraceEnds_NewestFirst()
    {
        var endpointId = await CreateEndpointAsync(Key(1));
        var rotatedAt = T0.AddMinutes(5);

        await _store.RotateEndpointSecretAsync(endpointId, new EndpointSecretKey(Key(2), rotatedAt), rotatedAt.AddHours(24), None);

        Assert.Equal([Key(2), Key(1)], await KeysAtAsync(endpointId, rotatedAt));
        Assert.Equal([Key(2), Key(1)], await KeysAtAsync(endpointId, rotatedAt.AddHours(23)));
        Assert.Equal([Key(2)], await KeysAtAsync(endpointId, rotatedAt.AddHours(25)));
    }

    [Fact]
    public async Task RotateSecret_TwiceWithinGrace_KeepsEachPreviousKeyOnlyUntilItsOwnDeadline()
    {
        var endpointId = await CreateEndpointAsync(Key(1));
        var first = T0.AddMinutes(5);
        var second = first.AddHours(2);

        await _store.RotateEndpointSecretAsync(endpointId, new EndpointSecretKey(Key(2), first), first.AddHours(24), None);
        await _store.RotateEndpointSecretAsync(endpointId, new EndpointSecretKey(Key(3), second), second.AddHours(24), None);

        Assert.Equal([Key(3), Key(2), Key(1)], await KeysAtAsync(endpointId, first.AddHours(23)));
        // The first key's grace is not extended by the second rotation.
        Assert.Equal([Key(3), Key(2)], await KeysAtAsync(endpointId, first.AddHours(25)));
        Assert.Equal([Key(3)], await KeysAtAsync(endpointId, second.AddHours(25)));
    }

    [Fact]
    public async Task RotateSecret_WithoutGrace_RetiresThePreviousKeyAtOnce()
    {
        var endpointId = await CreateEndpointAsync(Key(1));
        var rotatedAt = T0.AddMinutes(5);

        await _store.RotateEndpointSecretAsync(endpointId, new EndpointSecretKey(Key(2), rotatedAt), rotatedAt, None);

        Assert.Equal([Key(2)], await KeysAtAsync(endpointId, rotatedAt));
    }

    [Fact]
    public async Task PublishMessage_AssignsSequencesPerApplicationIndependently()
    {
        var a = await CreateApplicationAsync("A");
        var b = await CreateApplicationAsync("B");
        var sequences = new List<(string App, long Sequence)>();

        foreach (var application in new[] { a, a, b, a, b })
        {
            var stored = (await _store.PublishMessageAsync(Message(application.Id), null, Lease, None)).Message;
            sequences.Add((application.Name, stored.Sequence));
        }

        Assert.Equal([("A", 1L), ("A", 2L), ("B", 1L), ("A", 3L), ("B", 2L)], sequences);
    }

    [Fact]
    public async Task PublishMessage_WithApplicationToCreate_CreatesItAndStartsAtOne()
    {
        var application = new Application { Id = _ids.New(Ids.Application), Uid = "fresh", Name = "Fresh", CreatedAt = T0, UpdatedAt = T0 };

        var stored = (await _store.PublishMessageAsync(Message(application.Id), application, Lease, None)).Message;

        Assert.Equal(1, stored.Sequence);
        Assert.Equal(application.Id, (await _store.GetApplicationAsync("fresh", None))?.Id);
    }

    [Fact]
    public async Task PublishMessage_50Concurrent_GetSequences1To50WithoutGapsOrDuplicates()
    {
        var application = await CreateApplicationAsync("Busy");

        var stored = (await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(() => _store.PublishMessageAsync(Message(application.Id), null, Lease, None)))))
            .Select(p => p.Message).ToList();

        Assert.Equal(Enumerable.Range(1, 50).Select(i => (long)i), stored.Select(m => m.Sequence).Order());
        var reread = await Task.WhenAll(stored.Select(m => _store.GetMessageAsync(application.Id, m.Id, None)));
        Assert.Equal(stored.Select(m => m.Sequence), reread.Select(m => m!.Sequence));
    }
    // The token, application and event-type reads are served from memory on SQLite: every change must show at once.
    [Fact]
    public async Task Reads_kept_in_memory_follow_every_change()
    {
        var eventType = new Herald.Server.EventTypes.EventType { Name = "order.created", CreatedAt = T0, UpdatedAt = T0 };
        Assert.Null(await _store.GetEventTypeAsync(eventType.Name, None)); // A miss, remembered...
        await _store.CreateEventTypeAsync(eventType, None);
        Assert.False((await _store.GetEventTypeAsync(eventType.Name, None))!.Archived); // ...and forgotten on creation.
        await _store.UpdateEventTypeAsync(eventType with { Archived = true, UpdatedAt = T0.AddMinutes(1) }, None);
        Assert.True((await _store.GetEventTypeAsync(eventType.Name, None))!.Archived);
        await _store.DeleteEventTypeAsync(eventType.Name, None);
        Assert.Null(await _store.GetEventTypeAsync(eventType.Name, None));

        var application = await CreateApplicationAsync("Acme");
        await _store.UpdateApplicationAsync(application with { Uid = "acme", UpdatedAt = T0.AddMinutes(1) }, None);
        Assert.Equal(application.Id, (await _store.GetApplicationAsync("acme", None))!.Id);
        await _store.UpdateApplicationAsync(application with { Uid = "acme-2", UpdatedAt = T0.AddMinutes(2) }, None);
        Assert.Null(await _store.GetApplicationAsync("acme", None));
        Assert.Equal("acme-2", (await _store.GetApplicationAsync(application.Id, None))!.Uid);

        var hash = Herald.Server.Auth.TokenHashing.Hash("herald_app_test");
        await _store.AddTokenAsync(new Herald.Server.Auth.ApiToken { Id = _ids.New(Ids.Token), Hash = hash, ApplicationId = application.Id, CreatedAt = T0 }, None);
        Assert.NotNull(await _store.FindTokenAsync(hash, None));
        Assert.True(await _store.DeleteApplicationAsync(application.Id, None));
        Assert.Null(await _store.FindTokenAsync(hash, None)); // Deleted with its application.
        Assert.Null(await _store.GetApplicationAsync(application.Id, None));
    }
}
