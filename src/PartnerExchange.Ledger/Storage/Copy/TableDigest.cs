using System.Buffers.Binary;
using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using Npgsql;
using NpgsqlTypes;

namespace PartnerExchange.Ledger.Storage.Copy;

/// <summary>
/// A SHA-256 of a table's rows in key order, each value typed by the model rather than by how an engine stores it
/// (SQLite's 0 and PostgreSQL's false are the same false), so the same rows give the same digest on either engine.
/// Every value is tagged and every text and byte array prefixed by its length, so no two tables of rows encode alike.
/// </summary>
internal sealed class TableDigest : IDisposable
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly byte[] _scratch = new byte[9];

    public long Rows { get; private set; }

    /// <summary>Reads the current row of <paramref name="reader"/> into the digest.</summary>
    public void AddRow(DbDataReader reader, IReadOnlyList<LedgerColumn> columns)
    {
        for (var i = 0; i < columns.Count; i++)
        {
            Add(ColumnValue.Read(reader, i, columns[i]));
        }
        Rows++;
    }

    /// <summary>Adds one value already read.</summary>
    public void Add(object? value)
    {
        switch (value)
        {
            case null:
                Tag(0);
                break;
            case long l:
                _scratch[0] = 1;
                BinaryPrimitives.WriteInt64LittleEndian(_scratch.AsSpan(1), l);
                _hash.AppendData(_scratch, 0, 9);
                break;
            case int n:
                _scratch[0] = 2;
                BinaryPrimitives.WriteInt32LittleEndian(_scratch.AsSpan(1), n);
                _hash.AppendData(_scratch, 0, 5);
                break;
            case bool b:
                Tag(b ? (byte)4 : (byte)3);
                break;
            case string s:
                Bytes(5, Encoding.UTF8.GetBytes(s));
                break;
            case byte[] bytes:
                Bytes(6, bytes);
                break;
            default:
                throw new NotSupportedException($"A {value.GetType().Name} has no digest encoding.");
        }
    }

    /// <summary>Counts the row whose values were added one by one.</summary>
    public void EndRow() => Rows++;

    /// <summary>The digest in lowercase hex; the digest cannot be added to afterwards.</summary>
    public string Finish() => Convert.ToHexStringLower(_hash.GetHashAndReset());

    public void Dispose() => _hash.Dispose();

    private void Tag(byte tag)
    {
        _scratch[0] = tag;
        _hash.AppendData(_scratch, 0, 1);
    }

    private void Bytes(byte tag, byte[] bytes)
    {
        _scratch[0] = tag;
        BinaryPrimitives.WriteInt32LittleEndian(_scratch.AsSpan(1), bytes.Length);
        _hash.AppendData(_scratch, 0, 5);
        _hash.AppendData(bytes);
    }
}

/// <summary>Reads a column's value from either engine as the model types it, and writes it to a PostgreSQL COPY.</summary>
internal static class ColumnValue
{
    /// <summary>The value at <paramref name="ordinal"/> as a long, int, bool, string, byte array, or null.</summary>
    public static object? Read(DbDataReader reader, int ordinal, LedgerColumn column)
    {
        if (reader.IsDBNull(ordinal))
        {
            return column.Nullable
                ? null
                : throw new InvalidDataException($"Column {column.Name} holds NULL, which the model does not allow.");
        }
        return column.Type switch
        {
            ColumnType.Int64 => reader.GetInt64(ordinal),
            // SQLite hands out every integer as a long: narrowed with a check, never wrapped.
            ColumnType.Int32 => reader.GetFieldType(ordinal) == typeof(int) ? reader.GetInt32(ordinal) : checked((int)reader.GetInt64(ordinal)),
            ColumnType.Boolean => reader.GetFieldType(ordinal) == typeof(bool) ? reader.GetBoolean(ordinal) : SqliteBoolean(reader.GetInt64(ordinal), column),
            ColumnType.Text => reader.GetString(ordinal),
            ColumnType.Bytes => reader.GetFieldValue<byte[]>(ordinal),
            _ => throw new NotSupportedException($"Column {column.Name} has type {column.Type}."),
        };
    }

    /// <summary>Writes one value read by <see cref="Read"/> to the row being imported, as the column's PostgreSQL type.</summary>
    public static void Write(NpgsqlBinaryImporter importer, object? value, LedgerColumn column)
    {
        switch (value)
        {
            case null:
                importer.WriteNull();
                break;
            case long l:
                importer.Write(l, NpgsqlDbType.Bigint);
                break;
            case int n:
                importer.Write(n, NpgsqlDbType.Integer);
                break;
            case bool b:
                importer.Write(b, NpgsqlDbType.Boolean);
                break;
            case string s:
                importer.Write(s, NpgsqlDbType.Text);
                break;
            case byte[] bytes:
                importer.Write(bytes, NpgsqlDbType.Bytea);
                break;
            default:
                throw new NotSupportedException($"Column {column.Name}: a {value.GetType().Name} cannot be copied.");
        }
    }

    // SQLite has no boolean: the model's bools are stored as 0 and 1, and anything else is not a bool to carry over.
    private static bool SqliteBoolean(long value, LedgerColumn column) => value switch
    {
        0 => false,
        1 => true,
        _ => throw new InvalidDataException($"Column {column.Name} holds {value}, which is not a boolean (0 or 1)."),
    };
}
