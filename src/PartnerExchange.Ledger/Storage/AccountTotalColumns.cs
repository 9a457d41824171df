using PartnerExchange.Domain.Ledger;

namespace PartnerExchange.Ledger.Storage;

/// <summary>
/// The columns of an account that hold its postings summed by transaction kind: credits and debits apart, debits as
/// positive numbers. The writer adds to them in the same update that moves the balance, so an account's totals are
/// one row to read however long its history; the ledger audit checks them against the postings.
/// </summary>
internal static class AccountTotalColumns
{
    /// <summary>Every kind, in the order <see cref="SelectList"/> names their columns.</summary>
    public static readonly IReadOnlyList<TransactionKind> Kinds =
    [
        TransactionKind.Accrual, TransactionKind.Redemption, TransactionKind.Conversion,
        TransactionKind.Reversal, TransactionKind.Expiry, TransactionKind.Adjustment,
    ];

    /// <summary>The credit and debit column of every kind, in <see cref="Kinds"/> order.</summary>
    public static readonly string SelectList = string.Join(", ", Kinds.Select(k => $"{Credit(k)}, {Debit(k)}"));

    public static string Credit(TransactionKind kind) => Prefix(kind) + "_credit_points";

    public static string Debit(TransactionKind kind) => Prefix(kind) + "_debit_points";

    private static string Prefix(TransactionKind kind) => kind switch
    {
        TransactionKind.Accrual => "accrual",
        TransactionKind.Redemption => "redemption",
        TransactionKind.Conversion => "conversion",
        TransactionKind.Reversal => "reversal",
        TransactionKind.Expiry => "expiry",
        TransactionKind.Adjustment => "adjustment",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "No totals are kept for this kind."),
    };
}
