using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace Herald.Server.Storage.Sqlite;

/// <summary>
/// The store's open read connections. Microsoft.Data.Sqlite's own pool keeps the native connection, but hands out a
/// new <see cref="SqliteConnection"/> each time and finalizes its statements; keeping the connection objects lets
/// each keep its prepared statements (<see cref="PreparedStatements"/>) across reads. A connection is lent to one
/// read at a time; one that saw an error is closed rather than lent again.
/// </summary>
internal sealed class SqliteReaderPool(string connectionString) : IDisposable
{
    /// <summary>Idle connections kept open; more may be open at once under load, and are closed when returned.</summary>
    private const int MaxIdle = 32;

    private readonly ConcurrentBag<SqliteConnection> _idle = [];
    private int _idleCount;
    private bool _disposed;

    public async Task<SqliteConnection> RentAsync(CancellationToken cancellationToken)
    {
        if (_idle.TryTake(out var connection))
        {
            Interlocked.Decrement(ref _idleCount);
            return connection;
        }

        connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    public void Return(SqliteConnection connection, bool healthy)
    {
        if (healthy && !Volatile.Read(ref _disposed) && connection.State == System.Data.ConnectionState.Open)
        {
            if (Interlocked.Increment(ref _idleCount) <= MaxIdle)
            {
                _idle.Add(connection);
                return;
            }

            Interlocked.Decrement(ref _idleCount);
        }

        connection.Dispose();
    }

    public void Dispose()
    {
        Volatile.Write(ref _disposed, true);
        while (_idle.TryTake(out var connection))
        {
            connection.Dispose();
        }
    }
}
