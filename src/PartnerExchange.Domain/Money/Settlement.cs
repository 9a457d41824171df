using PartnerExchange.Domain.Points;

namespace PartnerExchange.Domain.Money;

/// <summary>What a conversion owes the destination partner, in its settlement currency.</summary>
/// <param name="CurrencyCode">The ISO 4217 settlement currency.</param>
/// <param name="AmountMicros">The exact amount in millionths of the currency's major unit.</param>
/// <param name="AmountMinor">The amount in minor units, rounded half away from zero from <paramref name="AmountMicros"/>.</param>
public sealed record SettlementAmount(string CurrencyCode, long AmountMicros, long AmountMinor);

/// <summary>Money obligations created by conversions.</summary>
public static class Settlement
{
    /// <summary>The field named when the settlement currency is not supported.</summary>
    public const string CurrencyField = "currency_code";

    // Micros per minor unit, indexed by minor-unit exponent: 10^(6 − exponent).
    private static readonly long[] MicrosPerMinorByExponent = [1_000_000, 100_000, 10_000, 1_000, 100, 10, 1];

    /// <summary>
    /// The obligation for a conversion: <paramref name="destinationPoints"/> at
    /// <paramref name="pointPriceMicros"/> each.
    /// </summary>
    /// <remarks>
    /// <para><c>AmountMicros = destinationPoints × pointPriceMicros</c>, exact (a price of USD 0.0125 per
    /// point is 12 500 micros).</para>
    /// <para><c>AmountMinor</c> is <c>AmountMicros ÷ 10^(6 − exponent)</c> rounded half away from zero:
    /// a remainder of half a minor unit or more rounds the magnitude up, less rounds it down, and a
    /// negative amount rounds exactly like its positive mirror (−0.5 cent → −1 cent), so a reversal's
    /// obligation cancels the original's to the cent. USD 0.005 → 1 cent; USD 0.0049 → 0 cents;
    /// JPY 0.5 → 1 yen; KWD 0.0005 → 1 fils.</para>
    /// </remarks>
    /// <returns>
    /// The amount, <see cref="ErrorReason.ValidationFailed"/> (field <see cref="CurrencyField"/>) for an
    /// unsupported currency, or <see cref="ErrorReason.BalanceOverflow"/> when the micros do not fit in a
    /// <see cref="long"/>.
    /// </returns>
    public static Outcome<SettlementAmount> ObligationFor(long destinationPoints, long pointPriceMicros, string currencyCode)
    {
        if (!Currencies.TryGetMinorUnitExponent(currencyCode, out var exponent))
        {
            return Refusal.Invalid(CurrencyField, "must be a supported ISO 4217 currency code, e.g. USD");
        }

        return PointsMath.Multiply(destinationPoints, pointPriceMicros)
            .Map(micros => new SettlementAmount(currencyCode, micros, MicrosToMinor(micros, exponent)));
    }

    /// <summary>Converts micros to minor units, rounding half away from zero (see <see cref="ObligationFor"/>).</summary>
    internal static long MicrosToMinor(long micros, int exponent)
    {
        // A divisor of at least 1 means the quotient's magnitude never exceeds the micros', so it fits.
        var microsPerMinor = MicrosPerMinorByExponent[exponent];
        var quotient = micros / microsPerMinor;
        var remainder = Math.Abs(micros % microsPerMinor);
        return remainder * 2 >= microsPerMinor ? quotient + Math.Sign(micros) : quotient;
    }
}
