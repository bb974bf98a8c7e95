using Herald.Server.Storage.Sqlite;

namespace Herald.Server.Tests.Storage;

public sealed class WriteLanesTests
{
    private const int Group = GroupCommitWriter.MaxBatch;

    [Fact]
    public void Take_BurstOfBookkeeping_TakesItsShareAndEveryOtherWriteWaiting()
    {
        var lanes = new WriteLanes();
        var bookkeeping = Enqueue(lanes, 240, bookkeeping: true);
        var publish = Enqueue(lanes, 3, bookkeeping: false);

        var group = Take(lanes);

        Assert.Equal(bookkeeping.Take(WriteLanes.MaxBookkeepingPerGroup).Concat(publish), group); // Queued in this order.
        Assert.Equal(bookkeeping.Skip(WriteLanes.MaxBookkeepingPerGroup).Take(WriteLanes.MaxBookkeepingPerGroup), Take(lanes));
    }

    [Fact]
    public void Take_ApiWritesFillingGroups_StillTakesBookkeeping()
    {
        var lanes = new WriteLanes();
        var publish = Enqueue(lanes, Group * 2, bookkeeping: false);
        var bookkeeping = Enqueue(lanes, 5, bookkeeping: true);

        var group = Take(lanes);

        Assert.Equal(Group, group.Count);
        Assert.Equal(publish.Take(Group - 5).Concat(bookkeeping), group); // In the order they were queued.
    }

    [Fact]
    public void Take_EverythingTakenOverGroups_EachLaneInArrivalOrder()
    {
        var lanes = new WriteLanes();
        var writes = Enumerable.Range(0, 500).Select(i => new PendingWrite((_, _) => Task.FromResult<object?>(null), default, bookkeeping: i % 3 == 0)).ToList();
        writes.ForEach(lanes.Enqueue);

        var taken = new List<PendingWrite>();
        while (!lanes.IsEmpty)
        {
            taken.AddRange(Take(lanes));
        }

        Assert.Equal(writes.Where(w => w.Bookkeeping), taken.Where(w => w.Bookkeeping));
        Assert.Equal(writes.Where(w => !w.Bookkeeping), taken.Where(w => !w.Bookkeeping));
    }

    [Fact]
    public void Take_WritesOfBothLanes_RunInTheOrderQueued()
    {
        var lanes = new WriteLanes();
        var writes = new[] { false, true, false, true }
            .Select(bookkeeping => new PendingWrite((_, _) => Task.FromResult<object?>(null), default, bookkeeping)).ToList();
        writes.ForEach(lanes.Enqueue);

        Assert.Equal(writes, Take(lanes));
    }

    [Fact]
    public void Take_CanceledWrite_HandedToCallbackAndTakesNoPlace()
    {
        var lanes = new WriteLanes();
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        var gone = new PendingWrite((_, _) => Task.FromResult<object?>(null), cancel.Token, bookkeeping: true);
        lanes.Enqueue(gone);
        var kept = Enqueue(lanes, WriteLanes.MaxBookkeepingPerGroup, bookkeeping: true);
        var canceled = new List<PendingWrite>();

        var group = new List<PendingWrite>();
        lanes.Take(group, Group, canceled.Add);

        Assert.Equal([gone], canceled);
        Assert.Equal(kept, group);
        Assert.True(lanes.IsEmpty);
    }

    [Fact]
    public void DrainAll_BothLanes_ReturnsEveryWrite()
    {
        var lanes = new WriteLanes();
        var writes = Enqueue(lanes, 2, bookkeeping: false).Concat(Enqueue(lanes, 2, bookkeeping: true)).ToList();

        Assert.Equal(writes, lanes.DrainAll().ToList());
        Assert.True(lanes.IsEmpty);
    }

    private static List<PendingWrite> Enqueue(WriteLanes lanes, int count, bool bookkeeping)
    {
        var writes = Enumerable.Range(0, count).Select(_ => new PendingWrite((_, _) => Task.FromResult<object?>(null), default, bookkeeping)).ToList();
        writes.ForEach(lanes.Enqueue);
        return writes;
    }

    private static List<PendingWrite> Take(WriteLanes lanes)
    {
        var group = new List<PendingWrite>();
        lanes.Take(group, Group, _ => Assert.Fail("Nothing was canceled."));
        return group;
    }
}
