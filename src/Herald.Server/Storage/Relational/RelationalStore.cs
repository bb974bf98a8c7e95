using System.Data.Common;
using System.Text;
using Dapper;

namespace Herald.Server.Storage.Relational;

/// <summary>
/// What the SQLite and PostgreSQL engines do the same way: the read SQL, row records and mappers of every feature that
/// is not on the hot path, written once against a small dialect. The engines keep their own write paths (group commit,
/// prepared statements and <c>SKIP LOCKED</c> differ for good reasons) and say here only how they store times and
/// lists and how a few SQL fragments are spelled.
/// </summary>
/// <typeparam name="TConnection">The engine's connection.</typeparam>
/// <typeparam name="TTime">A time as a row reads it: Unix milliseconds (SQLite) or a UTC <see cref="DateTime"/> (PostgreSQL).</typeparam>
/// <typeparam name="TTimeArg">A time as a parameter binds it: Unix milliseconds or a UTC <see cref="DateTimeOffset"/>.</typeparam>
/// <typeparam name="TList">A list of texts as a row reads it: JSON text (SQLite) or <c>text[]</c> (PostgreSQL).</typeparam>
/// <remarks>
/// Shared row records are positional records with a private parameterless constructor, so Dapper maps them by
/// property: it then converts between the engines' integer widths, and maps a query that returns no rows (SQLite types
/// its computed columns as BLOB then, which would match no constructor).
/// </remarks>
internal abstract partial class RelationalStore<TConnection, TTime, TTimeArg, TList>
    where TConnection : DbConnection
    where TTime : struct
    where TTimeArg : struct
    where TList : class
{
    static RelationalStore() => DefaultTypeMap.MatchNamesWithUnderscores = true;

    /// <summary>Runs <paramref name="work"/> on a connection for reading.</summary>
    protected abstract Task<T> ReadAsync<T>(Func<TConnection, Task<T>> work, CancellationToken cancellationToken);

    /// <summary>
    /// Runs <paramref name="work"/> as one write of its own, committed before the task completes (the engines' hot
    /// write paths do not come through here).
    /// </summary>
    protected abstract Task<T> TransactAsync<T>(Func<TConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken);

    /// <summary>A stored time as the instant it is.</summary>
    protected abstract DateTimeOffset ToTime(TTime stored);

    /// <summary>An instant as a parameter compares with stored times.</summary>
    protected abstract TTimeArg ToArg(DateTimeOffset value);

    /// <summary>A stored list of texts (null stays null).</summary>
    protected abstract IReadOnlyList<string>? ToList(TList? stored);

    /// <summary>A filter list as a parameter that <see cref="In"/> binds (null stays null: "no filter").</summary>
    protected abstract IEnumerable<string>? ListArg(IEnumerable<string>? list);

    /// <summary>A list of texts as a parameter that is written to a list column (null stays null).</summary>
    protected abstract TList? StoredList(IReadOnlyList<string>? list);

    /// <summary>The parameter <paramref name="parameter"/> holding a <see cref="StoredList"/>, typed for the column.</summary>
    protected abstract string ListValue(string parameter);

    /// <summary>The smaller of two non-null values (SQLite's two-argument MIN, PostgreSQL's LEAST).</summary>
    protected abstract string Least(string left, string right);

    /// <summary>A condition that always holds.</summary>
    protected abstract string True { get; }

    /// <summary>The condition "<paramref name="column"/> is one of the list parameter <paramref name="parameter"/>".</summary>
    protected abstract string In(string column, string parameter);

    /// <summary>The condition "the stored list <paramref name="listColumn"/> holds the text parameter <paramref name="parameter"/>".</summary>
    protected abstract string Holds(string listColumn, string parameter);

    /// <summary>The aggregate "<paramref name="condition"/> holds for some row of the group".</summary>
    protected abstract string AnyRow(string condition);

    /// <summary>A NULL column of text, typed so that the engine knows what it is.</summary>
    protected abstract string NullText { get; }

    /// <summary>A NULL column of bytes, typed so that the engine knows what it is.</summary>
    protected abstract string NullBytes { get; }

    protected DateTimeOffset? ToTime(TTime? stored) => stored is { } s ? ToTime(s) : null;

    protected TTimeArg? ToArg(DateTimeOffset? value) => value is { } v ? ToArg(v) : null;

    /// <summary>SQL pieces for a keyset page over <paramref name="keyColumn"/>; binds <c>@after</c> and <c>@take</c>.</summary>
    /// <summary>
    /// A page's condition and order by <paramref name="keyColumn"/>, continuing after <paramref name="afterKey"/> (an
    /// expression of the iterator, <c>@after</c>, when the key is not the iterator itself).
    /// </summary>
    protected (string Where, string OrderBy) Keyset(string keyColumn, PageRequest page, string afterKey = "@after")
    {
        var where = page.After is null ? True : $"{keyColumn} {(page.ScanAscending ? ">" : "<")} {afterKey}";
        return (where, $"ORDER BY {keyColumn} {(page.ScanAscending ? "ASC" : "DESC")} LIMIT @take");
    }

    protected static Page<T> ToPage<T>(IEnumerable<T> rows, PageRequest page) => StoreCommon.ToPage(rows, page);

    /// <summary>Appends <paramref name="clause"/> when the filter <paramref name="value"/> is set.</summary>
    protected static void Append(StringBuilder sql, object? value, string clause)
    {
        if (value is not null)
        {
            sql.Append(clause);
        }
    }
}
