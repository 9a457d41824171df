using System.Data;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace PartnerExchange.Ledger.Engines.Sqlite;

/// <summary>
/// The rows of a query the single writer runs, read straight off its prepared statement. Through ADO.NET every
/// such read allocated a command's parameters, a reader and its row bookkeeping: about a third of what a
/// conversion allocated, all of it on the writer's thread, the exchange's bottleneck. One instance per statement,
/// reused by every query it runs; disposing it resets the statement.
/// </summary>
/// <remarks>
/// It is an <see cref="IDataRecord"/> so that row mappers serve the writer and the readers (whose rows come from
/// ADO.NET) alike. Values convert as Microsoft.Data.Sqlite converts them for the types the ledger stores.
/// </remarks>
internal sealed class WriteRows : IDataRecord, IDisposable
{
    private readonly sqlite3 _database;
    private readonly sqlite3_stmt _statement;
    private bool _open;

    public WriteRows(sqlite3 database, sqlite3_stmt statement)
    {
        _database = database;
        _statement = statement;
    }

    /// <summary>Whether rows are being read: the statement may not run again until they are disposed.</summary>
    internal bool IsOpen => _open;

    /// <summary>Marks the statement in use; a query of the same statement before this one is disposed is a bug.</summary>
    internal WriteRows Open(string sql)
    {
        if (_open)
        {
            // The second query would rebind and reset the first one's rows under its reader.
            throw new InvalidOperationException($"A query is run again while its earlier rows are still being read: {sql}");
        }
        _open = true;
        return this;
    }

    /// <summary>Moves to the next row: false after the last.</summary>
    public bool Read()
    {
        var rc = raw.sqlite3_step(_statement);
        if (rc == raw.SQLITE_ROW)
        {
            return true;
        }
        if (rc != raw.SQLITE_DONE)
        {
            SqliteException.ThrowExceptionForRC(rc, _database);
        }
        return false;
    }

    public void Dispose()
    {
        if (_open)
        {
            _open = false;
            raw.sqlite3_reset(_statement);
        }
    }

    public int FieldCount => raw.sqlite3_column_count(_statement);

    public object this[int i] => GetValue(i);

    public object this[string name] => GetValue(GetOrdinal(name));

    public bool IsDBNull(int i) => raw.sqlite3_column_type(_statement, i) == raw.SQLITE_NULL;

    public long GetInt64(int i) => raw.sqlite3_column_int64(_statement, i);

    public int GetInt32(int i) => checked((int)GetInt64(i));

    public short GetInt16(int i) => checked((short)GetInt64(i));

    public byte GetByte(int i) => checked((byte)GetInt64(i));

    public bool GetBoolean(int i) => GetInt64(i) != 0;

    public double GetDouble(int i) => raw.sqlite3_column_double(_statement, i);

    public float GetFloat(int i) => (float)GetDouble(i);

    public string GetString(int i) => raw.sqlite3_column_text(_statement, i).utf8_to_string();

    public byte[] GetBlob(int i) => raw.sqlite3_column_blob(_statement, i).ToArray();

    public object GetValue(int i) => raw.sqlite3_column_type(_statement, i) switch
    {
        raw.SQLITE_INTEGER => GetInt64(i),
        raw.SQLITE_FLOAT => GetDouble(i),
        raw.SQLITE_TEXT => GetString(i),
        raw.SQLITE_BLOB => GetBlob(i),
        _ => DBNull.Value,
    };

    public int GetValues(object[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var count = Math.Min(values.Length, FieldCount);
        for (var i = 0; i < count; i++)
        {
            values[i] = GetValue(i);
        }
        return count;
    }

    public long GetBytes(int i, long fieldOffset, byte[]? buffer, int bufferoffset, int length)
    {
        var blob = raw.sqlite3_column_blob(_statement, i);
        if (buffer is null)
        {
            return blob.Length;
        }
        var count = (int)Math.Max(0, Math.Min(length, blob.Length - fieldOffset));
        blob.Slice((int)fieldOffset, count).CopyTo(buffer.AsSpan(bufferoffset));
        return count;
    }

    public string GetName(int i) => raw.sqlite3_column_name(_statement, i).utf8_to_string();

    public int GetOrdinal(string name)
    {
        for (var i = 0; i < FieldCount; i++)
        {
            if (string.Equals(GetName(i), name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }
        throw new ArgumentOutOfRangeException(nameof(name), name, "No column has this name.");
    }

    public string GetDataTypeName(int i) => raw.sqlite3_column_decltype(_statement, i).utf8_to_string() ?? "";

    public Type GetFieldType(int i) => GetValue(i).GetType();

    // The ledger stores amounts and times as integers and ids and text whole: these conversions are never asked for.
    public decimal GetDecimal(int i) => throw new NotSupportedException("The ledger stores amounts as integers.");

    public char GetChar(int i) => throw new NotSupportedException("The ledger reads text whole.");

    public long GetChars(int i, long fieldoffset, char[]? buffer, int bufferoffset, int length) =>
        throw new NotSupportedException("The ledger reads text whole.");

    public DateTime GetDateTime(int i) => throw new NotSupportedException("The ledger stores times as integer microseconds.");

    public Guid GetGuid(int i) => throw new NotSupportedException("The ledger stores ids as text.");

    public IDataReader GetData(int i) => throw new NotSupportedException("SQLite has no nested rows.");
}
