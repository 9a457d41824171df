namespace PartnerExchange.Domain.Ledger;

/// <summary>What an event of a program's feed reports (values match the protos). Stored: only append.</summary>
public enum EventKind
{
    /// <summary>Points accrued to a member.</summary>
    PointsAccrued = 1,
    /// <summary>Points a member redeemed.</summary>
    PointsRedeemed = 2,
    /// <summary>Points a member converted out to another program.</summary>
    PointsConvertedOut = 3,
    /// <summary>Points that arrived for a member from another program.</summary>
    PointsConvertedIn = 4,
    /// <summary>A reversal moved a member's points.</summary>
    PointsReversed = 5,
    /// <summary>A member's points expired.</summary>
    PointsExpired = 6,
    /// <summary>A member's points will expire soon.</summary>
    ExpiryWarning = 7,
    /// <summary>A new version of a rate into or out of the program.</summary>
    ExchangeRateChanged = 8,
    /// <summary>The program's expiry policy changed.</summary>
    ExpiryPolicyChanged = 9,
    /// <summary>An operator adjusted a member's balance.</summary>
    PointsAdjusted = 10,
}
