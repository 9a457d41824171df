using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace PartnerExchange.Ledger.Engines.Sqlite;

/// <summary>
/// One statement of the single writer (a write, or a query whose rows it reads), prepared once on its
/// connection and bound by position. A conversion runs about twenty-five of these; through ADO.NET each one
/// looked its parameters up by name and allocated them, and each query its reader, anew on every call.
/// </summary>
/// <remarks>Not thread-safe: the single writer owns it, like the connection it was prepared on.</remarks>
internal sealed class WriteStatement : IDisposable
{
    private readonly sqlite3 _database;
    private readonly sqlite3_stmt _statement;
    private readonly string _sql;
    private string[] _names = [];
    private int[] _positions = [];
    private bool _resolved;
    private WriteRows? _rows;

    public WriteStatement(sqlite3 database, string sql)
    {
        _database = database;
        _sql = sql;
        // Persistent: the statement lives as long as the writer, so SQLite keeps it out of its lookaside memory.
        var rc = raw.sqlite3_prepare_v3(database, sql, raw.SQLITE_PREPARE_PERSISTENT, out _statement, out var tail);
        SqliteException.ThrowExceptionForRC(rc, database);
        if (!string.IsNullOrWhiteSpace(tail))
        {
            _statement.Dispose();
            throw new ArgumentException($"A write statement is one SQL statement; this has more: {sql}", nameof(sql));
        }
    }

    /// <summary>Runs the statement to its end: the rows an INSERT, UPDATE or DELETE changed.</summary>
    public int Execute(ReadOnlySpan<(string Name, SqlValue Value)> parameters)
    {
        EnsureNoOpenRows();
        Bind(parameters);
        try
        {
            int rc;
            while ((rc = raw.sqlite3_step(_statement)) == raw.SQLITE_ROW)
            {
            }
            ThrowUnlessDone(rc);
            return raw.sqlite3_changes(_database);
        }
        finally
        {
            raw.sqlite3_reset(_statement);
        }
    }

    /// <summary>Binds the parameters and returns the rows, read one by one; disposing them resets the statement.</summary>
    public WriteRows Query(ReadOnlySpan<(string Name, SqlValue Value)> parameters)
    {
        // Open first: binding would otherwise change the statement under rows still being read.
        var rows = (_rows ??= new WriteRows(_database, _statement)).Open(_sql);
        try
        {
            Bind(parameters);
            return rows;
        }
        catch
        {
            rows.Dispose();
            throw;
        }
    }

    /// <summary>The first column of the first row as an integer, or null when there is no row or it is NULL.</summary>
    /// <remarks>An INSERT … RETURNING makes all its changes in the first step, so reading one row is enough.</remarks>
    public long? Scalar(ReadOnlySpan<(string Name, SqlValue Value)> parameters)
    {
        EnsureNoOpenRows();
        Bind(parameters);
        try
        {
            var rc = raw.sqlite3_step(_statement);
            if (rc == raw.SQLITE_ROW)
            {
                return raw.sqlite3_column_type(_statement, 0) == raw.SQLITE_NULL ? null : raw.sqlite3_column_int64(_statement, 0);
            }
            ThrowUnlessDone(rc);
            return null;
        }
        finally
        {
            raw.sqlite3_reset(_statement);
        }
    }

    private void EnsureNoOpenRows()
    {
        if (_rows is { IsOpen: true })
        {
            throw new InvalidOperationException($"A statement is run while rows of its query are still being read: {_sql}");
        }
    }

    private void ThrowUnlessDone(int rc)
    {
        if (rc != raw.SQLITE_DONE)
        {
            // The same exception ADO.NET throws, so callers tell transaction-ending errors apart by code as before.
            SqliteException.ThrowExceptionForRC(rc, _database);
        }
    }

    private void Bind(ReadOnlySpan<(string Name, SqlValue Value)> parameters)
    {
        var positions = PositionsOf(parameters);
        for (var i = 0; i < parameters.Length; i++)
        {
            var rc = BindValue(positions[i], parameters[i].Value);
            SqliteException.ThrowExceptionForRC(rc, _database);
        }
    }

    private int BindValue(int position, SqlValue value) => value.IsInteger
        ? raw.sqlite3_bind_int64(_statement, position, value.Integer)
        : value.Reference switch
        {
            null => raw.sqlite3_bind_null(_statement, position),
            string text => raw.sqlite3_bind_text(_statement, position, text),
            byte[] bytes => raw.sqlite3_bind_blob(_statement, position, bytes),
            // SqlValue holds nothing else; anything more is a bug, never silently converted.
            var other => throw new NotSupportedException($"The writer does not bind values of type {other.GetType()}."),
        };

    /// <summary>
    /// The SQL positions of the parameters, resolved by name on first use and reused while callers name
    /// them the same way (they pass literals, so this is a reference comparison).
    /// </summary>
    private int[] PositionsOf(ReadOnlySpan<(string Name, SqlValue Value)> parameters)
    {
        if (SameNames(parameters))
        {
            return _positions;
        }
        var count = raw.sqlite3_bind_parameter_count(_statement);
        if (parameters.Length != count)
        {
            // Bindings outlive a reset: a parameter left out would silently keep the previous call's value.
            throw new InvalidOperationException($"The statement takes {count} parameters but {parameters.Length} were given: {_sql}");
        }
        var names = new string[parameters.Length];
        var positions = new int[parameters.Length];
        for (var i = 0; i < parameters.Length; i++)
        {
            names[i] = parameters[i].Name;
            positions[i] = raw.sqlite3_bind_parameter_index(_statement, names[i]);
            if (positions[i] == 0)
            {
                throw new InvalidOperationException($"The statement has no parameter {names[i]}: {_sql}");
            }
        }
        _names = names;
        _positions = positions;
        _resolved = true;
        return positions;
    }

    private bool SameNames(ReadOnlySpan<(string Name, SqlValue Value)> parameters)
    {
        if (!_resolved || parameters.Length != _names.Length)
        {
            return false;
        }
        for (var i = 0; i < parameters.Length; i++)
        {
            if (!ReferenceEquals(parameters[i].Name, _names[i]) && !string.Equals(parameters[i].Name, _names[i], StringComparison.Ordinal))
            {
                return false;
            }
        }
        return true;
    }

    public void Dispose() => _statement.Dispose();
}
