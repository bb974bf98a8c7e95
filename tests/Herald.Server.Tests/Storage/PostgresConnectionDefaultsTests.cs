using Herald.Server.Storage.Postgres;
using Npgsql;

namespace Herald.Server.Tests.Storage;

/// <summary>The connection settings Herald adds to a PostgreSQL connection string unless the string names them.</summary>
public sealed class PostgresConnectionDefaultsTests
{
    [Fact]
    public void WithDefaults_StringWithoutThem_PreparesHotStatementsAndSkipsTheReset()
    {
        var settings = new NpgsqlConnectionStringBuilder(PostgresStore.WithDefaults("Host=127.0.0.1;Username=herald;Database=herald"));

        Assert.Equal(PostgresStore.DefaultMaxAutoPrepare, settings.MaxAutoPrepare);
        Assert.True(settings.NoResetOnClose);
        Assert.Equal(PostgresStore.DefaultMaxPoolSize, settings.MaxPoolSize);
        Assert.Equal("herald", settings.Database);
    }

    [Theory]
    [InlineData("Host=h;Max Auto Prepare=0;No Reset On Close=false")]
    [InlineData("Host=h;MaxAutoPrepare=0;NoResetOnClose=false")]
    [InlineData("Host=h;max auto prepare=0;no reset on close=False")]
    public void WithDefaults_StringThatNamesThem_KeepsItsOwnValues(string connectionString)
    {
        var settings = new NpgsqlConnectionStringBuilder(PostgresStore.WithDefaults(connectionString));

        Assert.Equal(0, settings.MaxAutoPrepare);
        Assert.False(settings.NoResetOnClose);
    }

    [Theory]
    [InlineData("Host=h;Maximum Pool Size=7")]
    [InlineData("Host=h;MaxPoolSize=7")]
    [InlineData("Host=h;maximum pool size=7")]
    public void WithDefaults_StringThatNamesAPoolSize_KeepsIt(string connectionString)
    {
        var settings = new NpgsqlConnectionStringBuilder(PostgresStore.WithDefaults(connectionString));

        Assert.Equal(7, settings.MaxPoolSize);
    }
}
