using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;
using PartnerExchange.Ledger.Storage.Postgres;
using PartnerExchange.Ledger.Storage.Sqlite;

namespace PartnerExchange.Ledger.Storage.Copy;

/// <summary>How a column's values are read, written and digested on both engines.</summary>
internal enum ColumnType
{
    /// <summary>A long: SQLite INTEGER, PostgreSQL bigint.</summary>
    Int64,

    /// <summary>An int: SQLite INTEGER, PostgreSQL integer.</summary>
    Int32,

    /// <summary>A bool: SQLite INTEGER 0 or 1, PostgreSQL boolean.</summary>
    Boolean,

    /// <summary>A string: SQLite TEXT, PostgreSQL text.</summary>
    Text,

    /// <summary>A byte array: SQLite BLOB, PostgreSQL bytea.</summary>
    Bytes,
}

/// <summary>One column of a ledger table as the copy handles it.</summary>
internal sealed record LedgerColumn(string Name, ColumnType Type, bool Nullable);

/// <summary>
/// One table of the ledger model: its columns, its primary key (the order rows are copied and digested in) and the
/// columns whose values PostgreSQL generates (an identity), which the copy moves past the copied ids.
/// </summary>
internal sealed record LedgerTable(string Name, IReadOnlyList<LedgerColumn> Columns, IReadOnlyList<string> KeyColumns, IReadOnlyList<string> IdentityColumns)
{
    public string ColumnList => string.Join(", ", Columns.Select(c => Quote(c.Name)));

    public static string Quote(string name) => "\"" + name + "\"";
}

/// <summary>
/// Every table of the ledger, read from the EF Core model of the two engines' contexts rather than listed by hand, so a
/// table or column added to the model is copied and verified without anyone remembering to. The two models must
/// describe the same tables and columns; the PostgreSQL model's store types decide how each value is mapped.
/// </summary>
internal static class LedgerTables
{
    private static readonly Lazy<(IReadOnlyList<LedgerTable> Copied, IReadOnlyList<string> PostgresOnly)> Tables = new(Build);

    /// <summary>The tables both engines' models have, which the copy copies, by name.</summary>
    public static IReadOnlyList<LedgerTable> All => Tables.Value.Copied;

    /// <summary>
    /// Tables only the PostgreSQL model has (state of several servers sharing one database, which a SQLite ledger has
    /// no rows for): a copy leaves them empty, and refuses a target where they are not.
    /// </summary>
    public static IReadOnlyList<string> PostgresOnly => Tables.Value.PostgresOnly;

    /// <summary>Every table of the PostgreSQL model: the copied ones and <see cref="PostgresOnly"/>.</summary>
    public static IEnumerable<string> PostgresTableNames => All.Select(t => t.Name).Concat(PostgresOnly);

    private static (IReadOnlyList<LedgerTable>, IReadOnlyList<string>) Build()
    {
        using var postgres = new PostgresLedgerContext(
            new DbContextOptionsBuilder<PostgresLedgerContext>().UseNpgsql("Host=model.invalid;Database=model").Options);
        using var sqlite = new SqliteLedgerContext(
            new DbContextOptionsBuilder<SqliteLedgerContext>().UseSqlite("Data Source=:memory:").Options);
        if (postgres.Model.GetSequences().Any())
        {
            // A sequence of its own carries a value no table holds; the copy would not know what to set it to.
            throw new NotSupportedException(
                "The PostgreSQL ledger model has a sequence the copy does not know how to carry over: teach LedgerCopy its value.");
        }
        var sqliteTables = sqlite.Model.GetRelationalModel().Tables.ToDictionary(
            t => t.Name, t => string.Join(", ", t.Columns.Select(c => c.Name).Order(StringComparer.Ordinal)), StringComparer.Ordinal);
        var postgresTables = postgres.Model.GetRelationalModel().Tables.ToList();
        var copied = postgresTables.Where(t => sqliteTables.ContainsKey(t.Name)).Select(Describe).OrderBy(t => t.Name, StringComparer.Ordinal).ToList();
        var differing = copied.Where(t => sqliteTables[t.Name] != string.Join(", ", t.Columns.Select(c => c.Name).Order(StringComparer.Ordinal)))
            .Select(t => t.Name)
            .Concat(sqliteTables.Keys.Where(name => postgresTables.All(t => t.Name != name)))
            .ToList();
        if (differing.Count > 0)
        {
            // Rows of a SQLite table or column PostgreSQL lacks would be lost by the copy.
            throw new InvalidOperationException(
                $"The SQLite and PostgreSQL ledger models differ in {string.Join(", ", differing)}: the copy cannot carry every row over.");
        }
        var postgresOnly = postgresTables.Select(t => t.Name).Where(name => !sqliteTables.ContainsKey(name)).Order(StringComparer.Ordinal).ToList();
        return (copied, postgresOnly);
    }

    private static LedgerTable Describe(ITable table)
    {
        var columns = table.Columns.Select(c => new LedgerColumn(c.Name, TypeOf(table, c), c.IsNullable)).ToList();
        var key = table.PrimaryKey ?? throw new NotSupportedException($"Table {table.Name} has no primary key to copy it in order of.");
        var identities = table.Columns
            .Where(c => NpgsqlPropertyExtensions.GetValueGenerationStrategy(c.PropertyMappings[0].Property) is NpgsqlValueGenerationStrategy.IdentityByDefaultColumn
                or NpgsqlValueGenerationStrategy.IdentityAlwaysColumn or NpgsqlValueGenerationStrategy.SerialColumn)
            .Select(c => c.Name)
            .ToList();
        return new LedgerTable(table.Name, columns, key.Columns.Select(c => c.Name).ToList(), identities);
    }

    /// <summary>The column's type, from its PostgreSQL store type, checked against the property's CLR type.</summary>
    private static ColumnType TypeOf(ITable table, IColumn column)
    {
        var clrType = Nullable.GetUnderlyingType(column.ProviderClrType) ?? column.ProviderClrType;
        ColumnType? type = (column.StoreType, clrType) switch
        {
            ("bigint", var t) when t == typeof(long) => ColumnType.Int64,
            ("integer", var t) when t == typeof(int) => ColumnType.Int32,
            ("boolean", var t) when t == typeof(bool) => ColumnType.Boolean,
            ("text", var t) when t == typeof(string) => ColumnType.Text,
            ("bytea", var t) when t == typeof(byte[]) => ColumnType.Bytes,
            _ => null,
        };
        return type ?? throw new NotSupportedException(
            $"Column {table.Name}.{column.Name} is {column.StoreType} ({clrType.Name}), a type the ledger copy does not map yet: add it to LedgerTables.");
    }
}
