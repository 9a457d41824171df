using Grpc.Core;
using PartnerExchange.Domain.Points;
using PartnerExchange.Ledger.Commands;
using PartnerExchange.Ledger.Reading;
using PartnerExchange.Server.Errors;
using PartnerExchange.Server.Mapping;
using PartnerExchange.Server.Validation;
using PartnerExchange.V1;
using LedgerFinding = PartnerExchange.V1.LedgerFinding;
using Money = PartnerExchange.Domain.Money;

namespace PartnerExchange.Server.Settlement;

/// <summary>The liability report and the ledger verification of the settlement service.</summary>
internal sealed class SettlementAudit(LedgerAudit audit, LedgerQueries queries, TimeProvider clock)
{
    public async Task<GetLiabilityResponse> GetLiabilityAsync(GetLiabilityRequest request, ServerCallContext context)
    {
        new FieldChecks()
            .Add(Identifiers.ProgramCode(request.ProgramCode, "program_code"))
            .Add(TimeChecks.Valid(request.AsOfTime, "as_of_time"))
            .ThrowIfInvalid();
        var asOf = request.AsOfTime?.ToDateTimeOffset() ?? clock.GetUtcNow();
        var partner = await queries.GetPartnerAsync(request.ProgramCode, context.CancellationToken)
            ?? throw RpcErrors.ToException(Partners.NotFound(request.ProgramCode));
        var snapshot = await audit.GetLiabilityAsync(request.ProgramCode, asOf, context.CancellationToken)
            ?? throw new InvalidOperationException($"Partner {request.ProgramCode} vanished between two reads.");
        var outstanding = Value(snapshot.OutstandingPoints, partner.PointPriceMicros, partner.SettlementCurrency);
        var expired = Value(snapshot.ExpiredPoints, partner.PointPriceMicros, partner.SettlementCurrency);
        return new GetLiabilityResponse
        {
            ProgramCode = partner.ProgramCode,
            AsOfTime = asOf.ToProto(),
            OutstandingPoints = snapshot.OutstandingPoints,
            PointPriceMicros = partner.PointPriceMicros,
            CurrencyCode = partner.SettlementCurrency,
            OutstandingValueMicros = outstanding.AmountMicros,
            OutstandingValueMinor = outstanding.AmountMinor,
            ExpiredPoints = snapshot.ExpiredPoints,
            ExpiredValueMinor = expired.AmountMinor,
        };
    }

    public async Task<VerifyLedgerResponse> VerifyLedgerAsync(VerifyLedgerRequest request, ServerCallContext context)
    {
        var verification = await audit.VerifyAsync(context.CancellationToken);
        return new VerifyLedgerResponse
        {
            Ok = verification.Ok,
            Checks = { verification.Checks },
            TransactionCount = verification.TransactionCount,
            AccountCount = verification.AccountCount,
            StatementCount = verification.StatementCount,
            Findings = { verification.Findings.Select(f => new LedgerFinding { Check = f.Check, Detail = f.Detail }) },
        };
    }

    /// <summary>Points valued at a price, by the same rule as settlement obligations.</summary>
    private static Money.SettlementAmount Value(long points, long priceMicros, string currency)
    {
        var value = Money.Settlement.ObligationFor(points, priceMicros, currency);
        return value.IsSuccess
            ? value.Value
            : throw RpcErrors.ToException(value.Refusal);
    }
}
