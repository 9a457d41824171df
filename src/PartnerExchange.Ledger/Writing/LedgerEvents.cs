using PartnerExchange.Domain.Ledger;

namespace PartnerExchange.Ledger.Writing;

/// <summary>One row of the event outbox, before it is written.</summary>
internal sealed record NewEvent(string ProgramCode, EventKind Kind)
{
    public string MemberNumber { get; init; } = "";
    public long Points { get; init; }
    public long BalancePoints { get; init; }
    public string? TransactionId { get; init; }
    public string? ReversesTransactionId { get; init; }
    public string? CounterpartyProgramCode { get; init; }
    public long? ExpiresAtMicros { get; init; }
    public int WarningDays { get; init; }
    public string? FromProgramCode { get; init; }
    public string? ToProgramCode { get; init; }
    public long RateVersion { get; init; }
}

/// <summary>Which events a transaction's member lines raise (written to the outbox by <see cref="Stores.IEventOutbox"/>).</summary>
internal static class LedgerEvents
{
    /// <summary>
    /// The event of one member line of a transaction, as the line's program sees it: a conversion's
    /// destination learns the source program, never the source member.
    /// </summary>
    public static NewEvent ForMemberLine(
        NewTransaction header, string transactionId, PostingLine line, long balanceAfterPoints)
    {
        var program = line.Account.ProgramCode;
        var isRequester = program == header.RequesterProgramCode;
        var kind = header.Kind switch
        {
            TransactionKind.Accrual => EventKind.PointsAccrued,
            TransactionKind.Redemption => EventKind.PointsRedeemed,
            TransactionKind.Conversion => isRequester ? EventKind.PointsConvertedOut : EventKind.PointsConvertedIn,
            TransactionKind.Reversal => EventKind.PointsReversed,
            TransactionKind.Expiry => EventKind.PointsExpired,
            TransactionKind.Adjustment => EventKind.PointsAdjusted,
            _ => throw new InvalidOperationException($"No event is defined for {header.Kind} transactions."),
        };
        return new NewEvent(program, kind)
        {
            MemberNumber = line.Account.MemberNumber!,
            Points = line.AmountPoints,
            BalancePoints = balanceAfterPoints,
            TransactionId = transactionId,
            ReversesTransactionId = header.ReversesTransactionId,
            CounterpartyProgramCode = header.CounterpartyProgramCode is null ? null
                : isRequester ? header.CounterpartyProgramCode : header.RequesterProgramCode,
            RateVersion = header.RateVersion ?? 0,
        };
    }
}
