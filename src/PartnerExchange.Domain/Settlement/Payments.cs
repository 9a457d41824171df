namespace PartnerExchange.Domain.Settlement;

/// <summary>Whether a statement has been paid (values match the protos).</summary>
public enum StatementStatus
{
    /// <summary>Nothing paid yet.</summary>
    Open = 1,
    /// <summary>Some, not all, of the amount due paid.</summary>
    PartiallyPaid = 2,
    /// <summary>Paid in full, or nothing was due.</summary>
    Settled = 3,
}

/// <summary>The rules for paying a statement.</summary>
public static class Payments
{
    /// <summary>The field named when a payment's amount is not in the statement's currency.</summary>
    public const string CurrencyField = "amount.currency_code";

    /// <summary>
    /// What is left to pay: what the statement settles (the payer's amount due, or on a refund statement the
    /// payee's refund due) minus what was paid, never below 0.
    /// </summary>
    public static long Outstanding(long settlementDueMinor, long paidMinor) => Math.Max(0, settlementDueMinor - paidMinor);

    /// <summary>A statement is settled once nothing is outstanding (also when nothing was ever due).</summary>
    public static StatementStatus StatusOf(long settlementDueMinor, long paidMinor) =>
        Outstanding(settlementDueMinor, paidMinor) == 0 ? StatementStatus.Settled
        : paidMinor > 0 ? StatementStatus.PartiallyPaid
        : StatementStatus.Open;

    /// <summary>
    /// Checks a payment against a statement: it must be in the statement's currency
    /// (<see cref="ErrorReason.CurrencyMismatch"/>) and no more than what is outstanding
    /// (<see cref="ErrorReason.Overpayment"/>, metadata <c>outstanding_minor</c>).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The amount is not positive (validation's job).</exception>
    public static Outcome<long> Check(string statementCurrency, long settlementDueMinor, long paidMinor, string paymentCurrency, long amountMinor)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(amountMinor);
        if (!string.Equals(statementCurrency, paymentCurrency, StringComparison.Ordinal))
        {
            return Refusal.Of(ErrorReason.CurrencyMismatch, $"The statement is in {statementCurrency}.",
                ("statement_currency_code", statementCurrency));
        }
        var outstanding = Outstanding(settlementDueMinor, paidMinor);
        if (amountMinor > outstanding)
        {
            return Refusal.Of(ErrorReason.Overpayment, "The payment is more than the statement's outstanding amount.",
                ("outstanding_minor", outstanding.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
        return paidMinor + amountMinor;
    }
}
