namespace PartnerExchange.Ledger.Engines.Sqlite;

/// <summary>
/// A value the single writer binds to a statement parameter: an integer, text, a blob or NULL, held without
/// boxing. As <c>object</c>, every integer a conversion binds (sequences, ids, amounts, times) was a heap
/// allocation on the writer's thread — the largest share of what it allocated. Callers write plain values; the
/// conversions below make them parameters.
/// </summary>
internal readonly struct SqlValue
{
    private readonly long _integer;
    private readonly object? _reference;

    private SqlValue(long integer, object? reference, bool isInteger)
    {
        _integer = integer;
        _reference = reference;
        IsInteger = isInteger;
    }

    /// <summary>Whether the value is an integer (else text, a blob or NULL).</summary>
    public bool IsInteger { get; }

    /// <summary>The integer, when <see cref="IsInteger"/>.</summary>
    public long Integer => _integer;

    /// <summary>The text, the blob, or null for NULL, when not <see cref="IsInteger"/>.</summary>
    public object? Reference => _reference;

    public static implicit operator SqlValue(long value) => new(value, null, isInteger: true);

    public static implicit operator SqlValue(int value) => new(value, null, isInteger: true);

    public static implicit operator SqlValue(bool value) => new(value ? 1 : 0, null, isInteger: true);

    public static implicit operator SqlValue(long? value) => value is { } integer ? integer : Null;

    public static implicit operator SqlValue(int? value) => value is { } integer ? integer : Null;

    public static implicit operator SqlValue(string? value) => new(0, value, isInteger: false);

    public static implicit operator SqlValue(byte[]? value) => new(0, value, isInteger: false);

    /// <summary>SQL NULL.</summary>
    public static SqlValue Null => default;
}
