using PartnerExchange.Domain.Money;

namespace PartnerExchange.Domain.Settlement;

/// <summary>
/// The settlement maths of a period: statements per (payer, payee, currency), their totals and hashes,
/// and each partner's net position. Pure: the same obligations always give the same statements.
/// </summary>
public static class StatementMath
{
    /// <summary>The largest network fee: 10,000 basis points, the whole gross amount.</summary>
    public const int MaxFeeBasisPoints = 10_000;

    /// <summary>
    /// The most a partner's obligations in one currency that no statement holds yet may add up to, in absolute
    /// micro-units (half the 64-bit range, 4,611,686,018,427,387,903). Any period's statements are a subset of
    /// them: a statement's micros and points (a point costs at least one micro) then fit, and so does every net
    /// position, whose receivable, payable and fee together stay within twice this. Conversions and reversals
    /// that would pass it are refused, so every period can always be closed.
    /// </summary>
    public const long MaxOpenObligationMicros = long.MaxValue / 2;

    /// <summary>
    /// Builds the statements of a period from the obligations recorded in it, ordered by payer, payee and
    /// currency (ordinal), each with its lines in sequence order.
    /// </summary>
    /// <returns>
    /// The period, or <see cref="ErrorReason.BalanceOverflow"/> when a total does not fit in a <see cref="long"/>.
    /// </returns>
    public static Outcome<PeriodDraft> ClosePeriod(PeriodBounds bounds, IEnumerable<Obligation> obligations, int feeBasisPoints)
    {
        ArgumentNullException.ThrowIfNull(bounds);
        ArgumentNullException.ThrowIfNull(obligations);
        var groups = obligations
            .GroupBy(o => new StatementParties(o.PayerProgramCode, o.PayeeProgramCode, o.CurrencyCode))
            .OrderBy(g => g.Key.PayerProgramCode, StringComparer.Ordinal)
            .ThenBy(g => g.Key.PayeeProgramCode, StringComparer.Ordinal)
            .ThenBy(g => g.Key.CurrencyCode, StringComparer.Ordinal);
        var statements = new List<StatementDraft>();
        foreach (var group in groups)
        {
            var lines = group.Select(o => o.Line).OrderBy(l => l.Sequence).ToList();
            var totals = Totals(lines, group.Key.CurrencyCode, feeBasisPoints);
            if (!totals.IsSuccess)
            {
                return totals.Refusal;
            }
            var hash = ContentHashes.Statement(bounds, group.Key, totals.Value, lines);
            statements.Add(new StatementDraft(group.Key, totals.Value, hash, lines));
        }
        var positions = NetPositions(statements.Select(s => (s.Parties, s.Totals)));
        return positions.Map(p => new PeriodDraft(bounds, statements, p, ContentHashes.Period(statements.Select(s => s.ContentHash))));
    }

    /// <summary>
    /// A statement's totals: counts and sums of its lines; the gross in minor units rounded once from the
    /// exact micro sum (half away from zero, never a sum of rounded lines); the network fee rounded half
    /// away from zero from gross minor × basis points ÷ 10,000; the amount due the gross, never below 0.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The currency is unknown or the fee is outside 0–10,000.</exception>
    public static Outcome<StatementTotals> Totals(IReadOnlyList<ObligationLine> lines, string currencyCode, int feeBasisPoints)
    {
        ArgumentNullException.ThrowIfNull(lines);
        if (!Currencies.TryGetMinorUnitExponent(currencyCode, out var exponent))
        {
            throw new ArgumentOutOfRangeException(nameof(currencyCode), currencyCode, "Obligations are only ever recorded in supported currencies.");
        }
        ArgumentOutOfRangeException.ThrowIfNegative(feeBasisPoints);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(feeBasisPoints, MaxFeeBasisPoints);
        Int128 points = 0;
        Int128 micros = 0;
        foreach (var line in lines)
        {
            points += line.DestinationPoints;
            micros += line.AmountMicros;
        }
        if (!FitsInLong(points) || !FitsInLong(micros))
        {
            return Refusal.Of(ErrorReason.BalanceOverflow, "A statement total does not fit in a 64-bit integer.");
        }
        var grossMinor = Money.Settlement.MicrosToMinor((long)micros, exponent);
        var feeMinor = RoundHalfAwayFromZero((Int128)grossMinor * feeBasisPoints, MaxFeeBasisPoints);
        return new StatementTotals(lines.Count, (long)points, (long)micros, grossMinor, feeMinor, Math.Max(0, grossMinor));
    }

    /// <summary>
    /// Each partner's net position per currency from its statements' gross minor amounts and network fees,
    /// ordered by program code and currency. Over all partners the net positions of a currency sum to zero;
    /// the fees are the payers' own, owed to the network.
    /// </summary>
    public static Outcome<IReadOnlyList<NetPosition>> NetPositions(IEnumerable<(StatementParties Parties, StatementTotals Totals)> statements)
    {
        ArgumentNullException.ThrowIfNull(statements);
        var sums = new Dictionary<(string Program, string Currency), PositionSums>();
        foreach (var (parties, totals) in statements)
        {
            var payee = (parties.PayeeProgramCode, parties.CurrencyCode);
            var payer = (parties.PayerProgramCode, parties.CurrencyCode);
            var receiving = sums.GetValueOrDefault(payee);
            sums[payee] = receiving with { Receivable = receiving.Receivable + totals.GrossAmountMinor };
            var paying = sums.GetValueOrDefault(payer);
            sums[payer] = paying with
            {
                Payable = paying.Payable + totals.GrossAmountMinor,
                NetworkFee = paying.NetworkFee + totals.NetworkFeeMinor,
            };
        }
        if (sums.Values.Any(s => !s.FitInLongs))
        {
            return Refusal.Of(ErrorReason.BalanceOverflow, "A net position does not fit in a 64-bit integer.");
        }
        return sums
            .OrderBy(s => s.Key.Program, StringComparer.Ordinal).ThenBy(s => s.Key.Currency, StringComparer.Ordinal)
            .Select(s => new NetPosition(
                s.Key.Program, s.Key.Currency, (long)s.Value.Receivable, (long)s.Value.Payable, (long)s.Value.NetworkFee))
            .ToList();
    }

    /// <summary>A partner's sums in one currency, wide enough never to overflow while adding.</summary>
    private readonly record struct PositionSums(Int128 Receivable, Int128 Payable, Int128 NetworkFee)
    {
        // The derived figures too: a position whose net or net after fee overflows cannot be shown.
        public bool FitInLongs =>
            FitsInLong(Receivable) && FitsInLong(Payable) && FitsInLong(NetworkFee) && FitsInLong(Receivable - Payable)
            && FitsInLong(Receivable - Payable - NetworkFee);
    }

    /// <summary><paramref name="numerator"/> ÷ <paramref name="denominator"/> (positive), rounded half away from zero.</summary>
    internal static long RoundHalfAwayFromZero(Int128 numerator, long denominator)
    {
        var quotient = numerator / denominator;
        var remainder = Int128.Abs(numerator % denominator);
        var rounded = remainder * 2 >= denominator ? quotient + Int128.Sign(numerator) : quotient;
        return (long)rounded;
    }

    private static bool FitsInLong(Int128 value) => value >= long.MinValue && value <= long.MaxValue;
}
