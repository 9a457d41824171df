using NpgsqlTypes;

namespace PartnerExchange.Ledger.Engines.Postgres;

/// <summary>
/// A value the PostgreSQL writer binds to a positional parameter, with the PostgreSQL type it goes as. Unlike SQLite,
/// PostgreSQL types every parameter when a statement is prepared, a NULL included: each value keeps the type of the C#
/// value it came from (a null <c>string?</c> is NULL text, a null <c>long?</c> NULL bigint), so a statement is prepared
/// once with the types its callers always bind.
/// </summary>
internal readonly struct PgValue
{
    private PgValue(object? value, NpgsqlDbType type)
    {
        Value = value;
        Type = type;
    }

    /// <summary>The value, or null for NULL.</summary>
    public object? Value { get; }

    public NpgsqlDbType Type { get; }

    public static implicit operator PgValue(long value) => new(value, NpgsqlDbType.Bigint);

    public static implicit operator PgValue(int value) => new(value, NpgsqlDbType.Integer);

    public static implicit operator PgValue(bool value) => new(value, NpgsqlDbType.Boolean);

    public static implicit operator PgValue(long? value) => new(value, NpgsqlDbType.Bigint);

    public static implicit operator PgValue(int? value) => new(value, NpgsqlDbType.Integer);

    public static implicit operator PgValue(string? value) => new(value, NpgsqlDbType.Text);

    public static implicit operator PgValue(byte[]? value) => new(value, NpgsqlDbType.Bytea);
}
