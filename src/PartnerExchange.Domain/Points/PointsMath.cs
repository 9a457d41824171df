using System.Globalization;

namespace PartnerExchange.Domain.Points;

/// <summary>
/// Overflow-safe integer arithmetic for points. Every operation that can leave the range of
/// <see cref="long"/> returns a <see cref="ErrorReason.BalanceOverflow"/> refusal instead of wrapping
/// or throwing; intermediate products are computed in <see cref="Int128"/>.
/// </summary>
public static class PointsMath
{
    /// <summary>Returns <c>a + b</c>, or a <see cref="ErrorReason.BalanceOverflow"/> refusal.</summary>
    public static Outcome<long> Add(long a, long b) => ToLong((Int128)a + b);

    /// <summary>Returns <c>a − b</c>, or a <see cref="ErrorReason.BalanceOverflow"/> refusal.</summary>
    public static Outcome<long> Subtract(long a, long b) => ToLong((Int128)a - b);

    /// <summary>Returns <c>a × b</c>, or a <see cref="ErrorReason.BalanceOverflow"/> refusal.</summary>
    public static Outcome<long> Multiply(long a, long b) => ToLong((Int128)a * b);

    /// <summary>
    /// Returns ⌊a × b ÷ c⌋ (rounded towards negative infinity) without intermediate overflow, or a
    /// <see cref="ErrorReason.BalanceOverflow"/> refusal when the result does not fit in a <see cref="long"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="c"/> is zero or negative.</exception>
    public static Outcome<long> MulDivFloor(long a, long b, long c)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(c);
        return ToLong(FloorDiv((Int128)a * b, c));
    }

    /// <summary>⌊n ÷ d⌋ for a positive divisor; <see cref="Int128"/> division alone truncates towards zero.</summary>
    internal static Int128 FloorDiv(Int128 n, Int128 d)
    {
        var quotient = n / d;
        return n % d < 0 ? quotient - 1 : quotient;
    }

    /// <summary>Narrows a wide result, refusing values outside the range of <see cref="long"/>.</summary>
    internal static Outcome<long> ToLong(Int128 value) =>
        value < long.MinValue || value > long.MaxValue ? Overflow(value) : (long)value;

    /// <summary>The refusal for a result that does not fit in a signed 64-bit integer.</summary>
    internal static Refusal Overflow(Int128 value) => Refusal.Of(
        ErrorReason.BalanceOverflow,
        "The result does not fit in a 64-bit signed integer.",
        ("value", Format(value)));

    /// <summary>Formats a number for refusal metadata, independent of the current culture.</summary>
    internal static string Format(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Formats a wide number for refusal metadata, independent of the current culture.</summary>
    internal static string Format(Int128 value) => value.ToString(CultureInfo.InvariantCulture);
}
