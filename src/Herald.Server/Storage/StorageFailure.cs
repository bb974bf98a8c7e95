using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Herald.Server.Storage;

/// <summary>What kind of storage outage an exception means: one a client should retry later, not a bug.</summary>
internal enum StorageFailureKind
{
    /// <summary>The database cannot be reached or used right now (down, restarting, unreadable disk, locked).</summary>
    Unavailable,

    /// <summary>The disk (or quota) holding the database is full: nothing more can be written until space is freed.</summary>
    Full,
}

/// <summary>
/// The one place that decides whether an exception from either engine is a storage outage (answered 503 or 507 with
/// Retry-After) rather than a bug (500). Both engines' errors are recognised here so that nothing above the store
/// interface needs to know which engine runs.
/// </summary>
internal static class StorageFailure
{
    /// <summary>How long a client should wait before retrying after <see cref="StorageFailureKind.Unavailable"/>: a restart or failover.</summary>
    public static readonly TimeSpan UnavailableRetryAfter = TimeSpan.FromSeconds(5);

    /// <summary>How long after <see cref="StorageFailureKind.Full"/>: freeing disk space takes an operator, so retrying sooner only adds load.</summary>
    public static readonly TimeSpan FullRetryAfter = TimeSpan.FromSeconds(30);

    // errno values (Linux) that .NET puts in an IOException's HResult on Unix.
    private const int Eio = 5, Eacces = 13, Enospc = 28, Erofs = 30, Edquot = 122;

    /// <summary>The outage <paramref name="exception"/> (or an exception it wraps) means, or null when it is not one.</summary>
    public static StorageFailureKind? Classify(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (ClassifyOne(e) is { } kind)
            {
                return kind;
            }

            if (e is AggregateException { InnerExceptions.Count: > 0 } aggregate)
            {
                return aggregate.InnerExceptions.Select(Classify).FirstOrDefault(k => k is not null);
            }
        }

        return null;
    }

    /// <summary>How long to wait before retrying after <paramref name="kind"/>.</summary>
    public static TimeSpan RetryAfter(StorageFailureKind kind) => kind == StorageFailureKind.Full ? FullRetryAfter : UnavailableRetryAfter;

    private static StorageFailureKind? ClassifyOne(Exception e) => e switch
    {
        SqliteException s => Sqlite(s.SqliteErrorCode & 0xFF),
        PostgresException p => Postgres(p.SqlState, p.IsTransient),
        // Npgsql's own errors (not the server's): connection refused or reset, timeouts, pool exhausted.
        NpgsqlException n when n.IsTransient || n.InnerException is SocketException or IOException or TimeoutException => StorageFailureKind.Unavailable,
        // The WAL fsync of the SQLite writer; a request body that cannot be read is an IOException too, and not ours.
        BadHttpRequestException => null,
        IOException io => io.HResult switch
        {
            Enospc or Edquot => StorageFailureKind.Full,
            Eio or Erofs or Eacces => StorageFailureKind.Unavailable,
            _ => null,
        },
        _ => null,
    };

    // https://www.sqlite.org/rescode.html (primary codes; the extended code's low byte is the primary one).
    private static StorageFailureKind? Sqlite(int primary) => primary switch
    {
        13 => StorageFailureKind.Full,            // SQLITE_FULL: the disk is full
        3 or 8 or 14 => StorageFailureKind.Unavailable, // SQLITE_PERM, SQLITE_READONLY, SQLITE_CANTOPEN: cannot write or open the file
        5 or 6 => StorageFailureKind.Unavailable,  // SQLITE_BUSY, SQLITE_LOCKED: still locked after the busy timeout
        7 or 10 or 15 => StorageFailureKind.Unavailable, // SQLITE_NOMEM, SQLITE_IOERR, SQLITE_PROTOCOL
        _ => null,                                 // constraint, corrupt, misuse, …: a bug or damage, not an outage
    };

    // https://www.postgresql.org/docs/current/errcodes-appendix.html
    private static StorageFailureKind? Postgres(string sqlState, bool transient) => sqlState switch
    {
        "53100" => StorageFailureKind.Full,        // disk_full
        _ when sqlState.StartsWith("08", StringComparison.Ordinal) => StorageFailureKind.Unavailable, // connection exception
        _ when sqlState.StartsWith("53", StringComparison.Ordinal) => StorageFailureKind.Unavailable, // insufficient resources
        _ when sqlState.StartsWith("58", StringComparison.Ordinal) => StorageFailureKind.Unavailable, // system error (I/O)
        "57P01" or "57P02" or "57P03" => StorageFailureKind.Unavailable, // admin/crash shutdown, cannot connect now
        "25006" => StorageFailureKind.Unavailable, // read_only_sql_transaction: a standby during failover
        _ => transient ? StorageFailureKind.Unavailable : null, // e.g. 40001/40P01 after the store's retries, 57014 statement timeout, 55P03 lock not available
    };
}
