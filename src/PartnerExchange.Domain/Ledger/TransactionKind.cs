namespace PartnerExchange.Domain.Ledger;

/// <summary>What a ledger transaction records. Values are stored: never renumber, only append.</summary>
public enum TransactionKind
{
    /// <summary>Points issued to a member.</summary>
    Accrual = 1,

    /// <summary>Points a member spent.</summary>
    Redemption,

    /// <summary>Points moved from a member of one program to a member of another, at a rate.</summary>
    Conversion,

    /// <summary>The exact undoing of an earlier transaction.</summary>
    Reversal,

    /// <summary>Points that expired from a member's balance.</summary>
    Expiry,

    /// <summary>A manual correction by an operator, with a reason.</summary>
    Adjustment,
}
