namespace PartnerExchange.Ledger.Stores;

/// <summary>Settlement periods, their statements, statement lines and payments.</summary>
internal interface ISettlementStore
{
    /// <summary>The end (exclusive) of the latest closed period, 0 when none is closed.</summary>
    long LatestClosedPeriodEndMicros();
}
