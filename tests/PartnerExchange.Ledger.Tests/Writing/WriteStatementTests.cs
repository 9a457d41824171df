using Microsoft.Data.Sqlite;
using PartnerExchange.Ledger.Engines.Sqlite;

namespace PartnerExchange.Ledger.Tests.Writing;

/// <summary>
/// The writer binds parameters and reads its queries' rows straight off the prepared statement: values must be
/// stored and come back as ADO.NET stored and gave them, and a statement must never be rebound under rows still
/// being read.
/// </summary>
public sealed class WriteStatementTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"px-write-rows-{Guid.NewGuid():N}.db");
    private readonly SqliteConnection _connection;

    public WriteStatementTests()
    {
        _connection = new SqliteConnection($"Data Source={_path};Pooling=False");
        _connection.Open();
        using var create = _connection.CreateCommand();
        create.CommandText =
            "CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER, s TEXT, b BLOB, f REAL); " +
            "INSERT INTO t VALUES (1, 42, 'één', x'00ff', 1.5), (2, NULL, NULL, NULL, NULL)";
        create.ExecuteNonQuery();
    }

    [Fact]
    public void Query_EachStoredType_ReadsAsAdoNetReadsIt()
    {
        using var statement = new WriteStatement(_connection.Handle!, "SELECT id, n, s, b, f FROM t WHERE id = $id");
        using var rows = statement.Query([("$id", 1L)]);

        Assert.True(rows.Read());
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT id, n, s, b, f FROM t WHERE id = 1";
        using var expected = command.ExecuteReader();
        Assert.True(expected.Read());
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(expected.GetValue(i), rows.GetValue(i));
            Assert.Equal(expected.GetName(i), rows.GetName(i));
        }
        Assert.Equal(42, rows.GetInt32(1));
        Assert.Equal("één", rows.GetString(2));
        Assert.Equal(new byte[] { 0x00, 0xff }, rows.GetBlob(3));
        Assert.False(rows.Read());
    }

    [Fact]
    public void Execute_EachParameterKind_StoresItsValue()
    {
        using var insert = new WriteStatement(_connection.Handle!, "INSERT INTO t (id, n, s, b) VALUES ($id, $n, $s, $b)");
        long? none = null;

        insert.Execute([("$id", 3), ("$n", long.MinValue), ("$s", "één"), ("$b", new byte[] { 1, 2 })]);
        insert.Execute([("$id", 4L), ("$n", true), ("$s", (string?)null), ("$b", (byte[]?)null)]);
        insert.Execute([("$id", 5L), ("$n", none), ("$s", ""), ("$b", Array.Empty<byte>())]);

        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT id || '|' || quote(n) || '|' || quote(s) || '|' || quote(b) FROM t WHERE id > 2 ORDER BY id";
        using var stored = command.ExecuteReader();
        var rows = new List<string>();
        while (stored.Read())
        {
            rows.Add(stored.GetString(0));
        }
        Assert.Equal(["3|-9223372036854775808|'één'|X'0102'", "4|1|NULL|NULL", "5|NULL|''|X''"], rows);
    }

    [Fact]
    public void Query_NullColumns_AreDbNull()
    {
        using var statement = new WriteStatement(_connection.Handle!, "SELECT n, s, b FROM t WHERE id = $id");
        using var rows = statement.Query([("$id", 2L)]);

        Assert.True(rows.Read());
        Assert.All(Enumerable.Range(0, 3), i => Assert.True(rows.IsDBNull(i)));
        Assert.Equal(DBNull.Value, rows.GetValue(0));
    }

    [Fact]
    public void RunAgain_WhileItsEarlierRowsAreOpen_Throws()
    {
        using var statement = new WriteStatement(_connection.Handle!, "SELECT id FROM t WHERE id >= $from ORDER BY id");
        using var first = statement.Query([("$from", 1L)]);
        Assert.True(first.Read());

        Assert.Throws<InvalidOperationException>(() => statement.Query([("$from", 2L)]));
        Assert.Throws<InvalidOperationException>(() => statement.Scalar([("$from", 2L)]));
        Assert.Throws<InvalidOperationException>(() => statement.Execute([("$from", 2L)]));
        // The earlier rows are untouched by the refused query.
        Assert.Equal(1, first.GetInt64(0));
        Assert.True(first.Read());
        Assert.Equal(2, first.GetInt64(0));
    }

    [Fact]
    public void Query_AfterEarlierRowsAreDisposed_ReadsFromTheStartWithNewParameters()
    {
        using var statement = new WriteStatement(_connection.Handle!, "SELECT id FROM t WHERE id >= $from ORDER BY id");
        using (var first = statement.Query([("$from", 1L)]))
        {
            Assert.True(first.Read());
        }

        using var second = statement.Query([("$from", 2L)]);

        Assert.True(second.Read());
        Assert.Equal(2, second.GetInt64(0));
        Assert.False(second.Read());
    }

    public void Dispose()
    {
        _connection.Dispose();
        File.Delete(_path);
    }
}
