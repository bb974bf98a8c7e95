using Herald.Server.Storage.Sqlite;

namespace Herald.Server.Tests.Storage;

public sealed class SequenceHorizonTests
{
    [Fact]
    public void No_limit_for_an_application_not_published_to_or_fully_synced()
    {
        var horizon = new SequenceHorizon();
        Assert.Null(horizon.Limit("app_1"));
        horizon.Committing("app_1", 7);
        horizon.Durable("app_1", 7);
        Assert.Null(horizon.Limit("app_1"));
    }

    [Fact]
    public void The_limit_is_the_last_synced_sequence_while_a_later_one_is_committed()
    {
        var horizon = new SequenceHorizon();
        horizon.Committing("app_1", 7); // Everything before 7 was on disk when 7 was taken.
        Assert.Equal(6, horizon.Limit("app_1"));
        horizon.Committing("app_1", 8);
        horizon.Durable("app_1", 8); // One fsync covers both; 8's writer may hear first.
        Assert.Null(horizon.Limit("app_1"));
        horizon.Durable("app_1", 7);
        Assert.Null(horizon.Limit("app_1"));
        Assert.Null(horizon.Limit("app_2"));
    }

    [Fact]
    public void A_sequence_rolled_back_and_taken_again_ends_the_limit_once_synced()
    {
        var horizon = new SequenceHorizon();
        horizon.Committing("app_1", 3);
        horizon.Durable("app_1", 3);
        horizon.Committing("app_1", 4); // Its group failed to commit: 4 is free again.
        Assert.Equal(3, horizon.Limit("app_1"));
        horizon.Committing("app_1", 4);
        horizon.Durable("app_1", 4);
        Assert.Null(horizon.Limit("app_1"));
    }
}
