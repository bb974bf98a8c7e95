using System.Collections.Concurrent;
using System.Data.Common;
using System.Linq.Expressions;
using System.Reflection;
using System.Runtime.CompilerServices;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Herald.Server.Storage.Sqlite;

/// <summary>
/// Statements compiled once per connection and reused, for the hot paths (publish, attempts, authentication).
/// Microsoft.Data.Sqlite keeps a command's compiled statements for as long as the command lives, but Dapper makes a
/// new command per call, so every call parsed and planned its SQL again: measured with perf, SQLite's parser was a
/// visible share of the single writer's time, and the writer is what limits how fast Herald accepts and delivers.
/// Commands are cached per connection (the writer's, and the store's own pool of read connections), keyed by
/// their SQL text; parameters bind from an anonymous object as with Dapper, and rows map with Dapper's row parser.
/// A connection is used by one caller at a time, so its cache needs no lock. Readers are disposed after each use,
/// which resets their statements: no cached statement holds a read snapshot open between uses.
/// </summary>
internal static class PreparedStatements
{
    private static readonly ConditionalWeakTable<SqliteConnection, Dictionary<string, Statement>> Statements = new();
    private static readonly ConcurrentDictionary<Type, Accessor[]> Accessors = new();

    private sealed record Accessor(string Name, Func<object, object?> Get);

    /// <summary>A command and, once it has returned rows, the parser of its rows (its columns never change).</summary>
    private sealed class Statement(SqliteCommand command)
    {
        public SqliteCommand Command { get; } = command;

        public Delegate? Parser { get; set; }
    }

    public static int Run(this SqliteConnection connection, string sql, object? param = null, DbTransaction? transaction = null) =>
        connection.Prepared(sql, param, transaction).Command.ExecuteNonQuery();

    public static T? Scalar<T>(this SqliteConnection connection, string sql, object? param = null, DbTransaction? transaction = null)
    {
        var value = connection.Prepared(sql, param, transaction).Command.ExecuteScalar();
        return Convert<T>(value);
    }

    private static T? Convert<T>(object? value)
    {
        if (value is null or DBNull)
        {
            return default;
        }

        return value is T typed ? typed : (T)System.Convert.ChangeType(value, Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Dapper's row parser maps rows to types; a single column of a simple type is read as it is.</summary>
    private static Func<SqliteDataReader, T> ParserOf<T>(Statement statement, SqliteDataReader reader)
    {
        if (statement.Parser is Func<SqliteDataReader, T> parser)
        {
            return parser;
        }

        parser = typeof(T) == typeof(string) || (Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T)).IsPrimitive
            ? r => Convert<T>(r.GetValue(0))!
            : reader.GetRowParser<T>();
        statement.Parser = parser;
        return parser;
    }

    public static T? One<T>(this SqliteConnection connection, string sql, object? param = null, DbTransaction? transaction = null)
    {
        var statement = connection.Prepared(sql, param, transaction);
        using var reader = statement.Command.ExecuteReader();
        return reader.Read() ? ParserOf<T>(statement, reader)(reader) : default;
    }

    public static List<T> All<T>(this SqliteConnection connection, string sql, object? param = null, DbTransaction? transaction = null)
    {
        var statement = connection.Prepared(sql, param, transaction);
        using var reader = statement.Command.ExecuteReader();
        var rows = new List<T>();
        if (reader.Read())
        {
            var parse = ParserOf<T>(statement, reader);
            do
            {
                rows.Add(parse(reader));
            }
            while (reader.Read());
        }

        return rows;
    }

    private static Statement Prepared(this SqliteConnection connection, string sql, object? param, DbTransaction? transaction)
    {
        var statements = Statements.GetOrCreateValue(connection);
        if (!statements.TryGetValue(sql, out var statement))
        {
            var command = connection.CreateCommand();
            command.CommandText = sql;
            statement = new Statement(command);
            statements.Add(sql, statement);
        }

        statement.Command.Transaction = (SqliteTransaction?)transaction;
        Bind(statement.Command.Parameters, param);
        return statement;
    }

    private static void Bind(SqliteParameterCollection parameters, object? param)
    {
        if (param is null)
        {
            return;
        }

        // One call site uses one SQL text with one anonymous type, so the parameters are made on the first call and
        // only their values change afterwards.
        var accessors = Accessors.GetOrAdd(param.GetType(), AccessorsOf);
        if (parameters.Count == 0)
        {
            foreach (var accessor in accessors)
            {
                parameters.Add(new SqliteParameter { ParameterName = accessor.Name });
            }
        }

        for (var i = 0; i < accessors.Length; i++)
        {
            parameters[i].Value = accessors[i].Get(param) switch
            {
                null => DBNull.Value,
                Enum e => System.Convert.ToInt64(e, System.Globalization.CultureInfo.InvariantCulture),
                var value => value,
            };
        }
    }

    private static Accessor[] AccessorsOf(Type type) =>
        [.. type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanRead).Select(p =>
        {
            var instance = Expression.Parameter(typeof(object));
            var get = Expression.Lambda<Func<object, object?>>(
                Expression.Convert(Expression.Property(Expression.Convert(instance, type), p), typeof(object)), instance).Compile();
            return new Accessor("@" + p.Name, get);
        })];
}
