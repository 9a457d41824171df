namespace PartnerExchange.Domain.Ledger;

/// <summary>What a ledger account is for. Values are stored: never renumber, only append.</summary>
public enum AccountKind
{
    /// <summary>A member's balance in a program; the only kind that may never go below zero.</summary>
    Member = 1,

    /// <summary>The program's source of new points; goes negative as points are accrued.</summary>
    Issuance,

    /// <summary>Points members have spent on the program's rewards.</summary>
    Redemption,

    /// <summary>Points that left the program in conversions to other programs.</summary>
    ConversionOut,

    /// <summary>Points that entered the program in conversions from other programs; goes negative.</summary>
    ConversionIn,

    /// <summary>Points that expired.</summary>
    Expiry,

    /// <summary>Conversion fees members paid in the program's points.</summary>
    Fees,

    /// <summary>The counterpart of manual corrections by operators.</summary>
    Adjustment,
}
