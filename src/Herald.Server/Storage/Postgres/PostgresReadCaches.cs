using Herald.Server.Applications;
using Herald.Server.EventTypes;

namespace Herald.Server.Storage.Postgres;

/// <summary>
/// The PostgreSQL store's read caches of applications and event types, which every publish reads (one round trip each,
/// a third of a publish's database work, docs/BENCHMARKS.md). Other nodes change these rows too, so the caches are live
/// only while this node's cluster listener LISTENs on <see cref="Cluster.PostgresClusterSignal.CacheChannel"/>: a
/// trigger on each table (migration 0012) notifies that channel in the changing transaction, delivered on its commit.
/// While the listener is down (not yet connected, reconnecting) every read goes to the database, and reconnecting starts
/// the caches empty, so a change missed meanwhile is never served. Tokens are not cached here: revoking one must hold
/// on every node at once, not a notification later.
/// </summary>
internal sealed class PostgresReadCaches
{
    public ReadCache<Application> Applications { get; } = new(keepMisses: false, live: false);

    public ReadCache<EventType> EventTypes { get; } = new(keepMisses: true, live: false); // Publishing with unregistered types is allowed.

    /// <summary>True while the caches keep rows (the listener is connected).</summary>
    public bool IsLive { get; private set; }

    public void Listening() => SetLive(true);

    public void NotListening() => SetLive(false);

    /// <summary>A table's rows changed (the notification's payload is the table's name).</summary>
    public void Changed(string table)
    {
        switch (table)
        {
            case "applications":
                Applications.Invalidate();
                break;
            case "event_types":
                EventTypes.Invalidate();
                break;
            default:
                Applications.Invalidate();
                EventTypes.Invalidate();
                break;
        }
    }

    private void SetLive(bool live)
    {
        Applications.SetLive(live);
        EventTypes.SetLive(live);
        IsLive = live;
    }
}
