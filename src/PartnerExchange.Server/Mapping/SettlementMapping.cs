using PartnerExchange.Domain.Settlement;
using PartnerExchange.Ledger.Settlement;
using PartnerExchange.V1;
using DomainNetPosition = PartnerExchange.Domain.Settlement.NetPosition;
using DomainReport = PartnerExchange.Domain.Settlement.ReconciliationReport;

namespace PartnerExchange.Server.Mapping;

/// <summary>Settlement records to protobuf messages; enums are numbered alike on both sides and map by value.</summary>
internal static class SettlementMapping
{
    public static SettlementPeriod ToProto(this PeriodRecord period) => new()
    {
        PeriodId = period.PeriodId,
        StartTime = period.Start.ToProto(),
        EndTime = period.End.ToProto(),
        CloseTime = period.ClosedAt.ToProto(),
        StatementCount = period.StatementCount,
        NetPositions = { period.NetPositions.Select(ToProto) },
        ContentHash = period.ContentHash,
    };

    public static V1.NetPosition ToProto(this DomainNetPosition position) => new()
    {
        ProgramCode = position.ProgramCode,
        CurrencyCode = position.CurrencyCode,
        ReceivableMinor = position.ReceivableMinor,
        PayableMinor = position.PayableMinor,
        NetMinor = position.NetMinor,
        NetworkFeeMinor = position.NetworkFeeMinor,
        NetAfterFeeMinor = position.NetAfterFeeMinor,
    };

    public static Statement ToProto(this StatementRecord statement) => new()
    {
        StatementId = statement.StatementId,
        PeriodId = statement.PeriodId,
        PayerProgramCode = statement.Parties.PayerProgramCode,
        PayeeProgramCode = statement.Parties.PayeeProgramCode,
        CurrencyCode = statement.Parties.CurrencyCode,
        LineCount = statement.Totals.LineCount,
        DestinationPoints = statement.Totals.DestinationPoints,
        GrossAmountMicros = statement.Totals.GrossAmountMicros,
        GrossAmountMinor = statement.Totals.GrossAmountMinor,
        NetworkFeeMinor = statement.Totals.NetworkFeeMinor,
        AmountDueMinor = statement.Totals.AmountDueMinor,
        RefundDueMinor = statement.Totals.RefundDueMinor,
        PaidMinor = statement.PaidMinor,
        Status = (V1.StatementStatus)(int)statement.Status,
        ContentHash = statement.ContentHash,
        CreateTime = statement.CreatedAt.ToProto(),
    };

    public static Payment ToProto(this PaymentRecord payment) => new()
    {
        PaymentId = payment.PaymentId,
        AmountMinor = payment.AmountMinor,
        Reference = payment.Reference,
        CreateTime = payment.CreatedAt.ToProto(),
    };

    public static ClosePeriodResponse ToProto(this ClosedPeriod closed) => new()
    {
        Period = closed.Period.ToProto(),
        Statements = { closed.Statements.Select(ToProto) },
    };

    public static StatementLine ToProto(this StatementLineRecord line) => new()
    {
        Sequence = line.Sequence,
        TransactionId = line.TransactionId,
        Kind = (V1.TransactionKind)(int)line.Kind,
        CreateTime = line.CreatedAt.ToProto(),
        SourceMemberNumber = line.SourceMemberNumber,
        DestinationMemberNumber = line.DestinationMemberNumber,
        DestinationPoints = line.DestinationPoints,
        AmountMicros = line.AmountMicros,
        AmountMinor = line.AmountMinor,
        ReversedTransactionId = line.ReversedTransactionId ?? "",
    };

    public static ReconciliationEntry ToEntry(this ObligationLine line) => new(line.TransactionId, line.DestinationPoints, line.AmountMinor);

    public static ReconciliationEntry ToEntry(this PartnerRecordRow row) => new(row.TransactionId, row.DestinationPoints, row.AmountMinor);

    public static ReconcileStatementResponse ToProto(this DomainReport report, string statementId) => new()
    {
        StatementId = statementId,
        MatchedCount = report.MatchedCount,
        Differences =
        {
            report.Differences.Select(d => new V1.ReconciliationDifference
            {
                Kind = (V1.DifferenceKind)(int)d.Kind,
                TransactionId = d.TransactionId,
                ExchangePoints = d.ExchangePoints,
                PartnerPoints = d.PartnerPoints,
                ExchangeAmountMinor = d.ExchangeAmountMinor,
                PartnerAmountMinor = d.PartnerAmountMinor,
            }),
        },
        Clean = report.Differences.Count == 0,
    };
}
