namespace PartnerExchange.Domain.Points;

/// <summary>
/// How a purchase earns points: <see cref="Points"/> points for every <see cref="PerAmountMinor"/>
/// minor units of <see cref="CurrencyCode"/> spent. One point per USD 1.00 is <c>("USD", 1, 100)</c>;
/// 1.5 points per dollar is <c>("USD", 3, 200)</c>.
/// </summary>
/// <param name="CurrencyCode">The ISO 4217 code of the purchase currency, e.g. <c>USD</c>.</param>
/// <param name="Points">The points earned for each full <paramref name="PerAmountMinor"/> spent.</param>
/// <param name="PerAmountMinor">The spend, in minor units, that earns <paramref name="Points"/> points.</param>
public sealed record EarnRule(string CurrencyCode, long Points, long PerAmountMinor)
{
    /// <summary>The largest allowed <see cref="Points"/> and <see cref="PerAmountMinor"/>.</summary>
    public const long MaxTermValue = 1_000_000_000;

    /// <summary>The request field <see cref="PointsFor"/> names when the amount is not positive.</summary>
    public const string AmountField = "amount_minor";

    /// <summary>
    /// The points a purchase earns: ⌊amountMinor × Points ÷ PerAmountMinor⌋, rounded down so a
    /// member never earns a fraction the program did not grant. May be zero for a small purchase.
    /// </summary>
    /// <param name="amountMinor">The purchase amount in minor units; must be positive.</param>
    /// <param name="currencyCode">The purchase currency; must equal <see cref="CurrencyCode"/> exactly.</param>
    /// <returns>
    /// The points, or <see cref="ErrorReason.ValidationFailed"/> (field <see cref="AmountField"/>) for a
    /// non-positive amount, <see cref="ErrorReason.CurrencyMismatch"/> for another currency, or
    /// <see cref="ErrorReason.BalanceOverflow"/> when the result does not fit in a <see cref="long"/>.
    /// </returns>
    /// <exception cref="InvalidOperationException">The rule itself is invalid (see <see cref="Validate"/>).</exception>
    public Outcome<long> PointsFor(long amountMinor, string currencyCode)
    {
        if (Points < 1 || PerAmountMinor < 1)
        {
            throw new InvalidOperationException("The earn rule is invalid; validate rules before using them.");
        }

        if (amountMinor <= 0)
        {
            return Refusal.Invalid(AmountField, "must be a positive amount in minor units");
        }

        // ISO codes are upper-case ASCII; "usd" is a different (invalid) code, not a spelling of USD.
        if (!string.Equals(currencyCode, CurrencyCode, StringComparison.Ordinal))
        {
            return Refusal.Of(
                ErrorReason.CurrencyMismatch,
                "The purchase currency differs from the currency of the earn rule.",
                ("expected_currency", CurrencyCode),
                ("actual_currency", currencyCode ?? string.Empty));
        }

        return PointsMath.MulDivFloor(amountMinor, Points, PerAmountMinor);
    }

    /// <summary>
    /// Checks a rule: a known ISO 4217 currency, and <see cref="Points"/> and <see cref="PerAmountMinor"/>
    /// each between 1 and <see cref="MaxTermValue"/>.
    /// </summary>
    /// <param name="rule">The rule to check.</param>
    /// <param name="fieldPrefix">The path of the rule in the request, e.g. <c>earn_rule</c>; may be empty.</param>
    /// <returns>The violations, empty when the rule is valid.</returns>
    public static IReadOnlyList<FieldViolation> Validate(EarnRule rule, string fieldPrefix)
    {
        ArgumentNullException.ThrowIfNull(rule);
        var prefix = string.IsNullOrEmpty(fieldPrefix) ? string.Empty : fieldPrefix + ".";
        var violations = new List<FieldViolation>();
        if (!Money.Currencies.IsKnown(rule.CurrencyCode))
        {
            violations.Add(new(prefix + "currency_code", "must be a supported ISO 4217 currency code, e.g. USD"));
        }

        if (rule.Points is < 1 or > MaxTermValue)
        {
            violations.Add(new(prefix + "points", "must be between 1 and 1000000000"));
        }

        if (rule.PerAmountMinor is < 1 or > MaxTermValue)
        {
            violations.Add(new(prefix + "per_amount_minor", "must be between 1 and 1000000000"));
        }

        return violations;
    }
}
