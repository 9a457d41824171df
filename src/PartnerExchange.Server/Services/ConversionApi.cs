using Grpc.Core;
using Microsoft.Extensions.Options;
using PartnerExchange.Domain;
using PartnerExchange.Domain.Rates;
using PartnerExchange.Ledger;
using PartnerExchange.Ledger.Commands;
using PartnerExchange.Ledger.Reading;
using PartnerExchange.Server.Conversion;
using PartnerExchange.Server.Errors;
using PartnerExchange.Server.Hosting;
using PartnerExchange.Server.Mapping;
using PartnerExchange.Server.Paging;
using PartnerExchange.Server.RateLimiting;
using PartnerExchange.Server.Security;
using PartnerExchange.Server.Validation;
using PartnerExchange.Server.Writes;
using PartnerExchange.V1;
using ErrorReason = PartnerExchange.Domain.ErrorReason;

namespace PartnerExchange.Server.Services;

/// <summary>The Conversion service: rates, quotes and conversions for the caller's members.</summary>
internal sealed class ConversionApi(
    IdempotentWrites writes,
    LedgerQueries queries,
    QuoteTokens quotes,
    MemberVelocity velocity,
    TimeProvider clock,
    IOptions<ExchangeOptions> options,
    IOptions<LedgerOptions> ledger) : ConversionService.ConversionServiceBase
{
    public override async Task<ListRatesResponse> ListRates(ListRatesRequest request, ServerCallContext context)
    {
        request.Validate(options.Value);
        var after = PageTokens.Cursor(request, request.PageToken);
        var pageSize = PageTokens.PageSize(request.PageSize, options.Value);
        var rates = await queries.ListActiveRatesFromAsync(Caller.Of(context).Program, clock.GetUtcNow(), context.CancellationToken);
        var fetched = rates.Where(r => after is null || string.CompareOrdinal(r.ToProgramCode, after) > 0).Take(pageSize + 1).ToList();
        var (page, next) = PageTokens.Slice(request, fetched, pageSize, r => r.ToProgramCode);
        return new ListRatesResponse { Rates = { page.Select(r => r.ToProto()) }, NextPageToken = next };
    }

    public override async Task<QuoteResponse> Quote(QuoteRequest request, ServerCallContext context)
    {
        var caller = Caller.Of(context).Program;
        request.Validate(caller, ledger.Value.MaxPointsPerTransaction);
        // Whole microseconds, the precision of rate times and of a quote id, so Convert prices at exactly
        // this instant and a rate that took effect a microsecond ago is already seen.
        var now = QuoteTokens.ToMicrosecond(clock.GetUtcNow());
        await RequireActiveAsync(caller, "caller", context.CancellationToken);
        var payee = await RequireActiveAsync(request.DestinationProgramCode, "destination", context.CancellationToken);
        var rate = await queries.FindActiveRateAsync(caller, request.DestinationProgramCode, now, context.CancellationToken)
            ?? throw RpcErrors.ToException(Refusal.Of(ErrorReason.RateNotConfigured, "No exchange rate leads from this program to the destination."));
        // The very check Convert makes, so no quote is issued for a conversion that could only be refused.
        var priced = ConversionCalculator.PriceWithinLimits(rate.Terms, request.SourcePoints, now, ledger.Value.MaxPointsPerTransaction,
            payee.PointPriceMicros, payee.SettlementCurrency);
        if (!priced.IsSuccess)
        {
            throw RpcErrors.ToException(priced.Refusal);
        }
        var terms = priced.Value.Terms;
        var claim = new QuoteClaim(caller, request.DestinationProgramCode, request.SourcePoints, rate.RateId, now, now + options.Value.QuoteLifetime);
        return new QuoteResponse
        {
            QuoteId = quotes.Issue(claim),
            SourcePoints = terms.SourcePoints,
            FeePoints = terms.MemberFeePoints,
            MemberDebitPoints = terms.MemberDebitPoints,
            BaseDestinationPoints = terms.BaseDestinationPoints,
            BonusPoints = terms.BonusPoints,
            DestinationPoints = terms.DestinationPoints,
            Rate = rate.ToProto(),
            QuoteTime = claim.QuotedAt.ToProto(),
            ExpireTime = claim.ExpiresAt.ToProto(),
        };
    }

    public override async Task<ConvertResponse> Convert(ConvertRequest request, ServerCallContext context)
    {
        var caller = Caller.Of(context).Program;
        request.Validate(caller, ledger.Value.MaxPointsPerTransaction);
        var command = new ConvertPoints(caller, request.SourceMemberNumber, request.DestinationProgramCode,
            request.DestinationMemberNumber, request.SourcePoints, LockOf(request, caller), request.Reference)
        {
            MaxPointsPerTransaction = ledger.Value.MaxPointsPerTransaction,
        };
        var memberVelocity = velocity.Bucket(context, request.SourceMemberNumber);
        return await writes.RunAsync(context, request, memberVelocity, command, c => new ConvertResponse
        {
            Transaction = c.Transaction.ToProto(),
            BalancePoints = c.BalancePoints,
            SourcePoints = c.Terms.SourcePoints,
            FeePoints = c.Terms.MemberFeePoints,
            BaseDestinationPoints = c.Terms.BaseDestinationPoints,
            BonusPoints = c.Terms.BonusPoints,
            DestinationPoints = c.Terms.DestinationPoints,
            RateVersion = c.RateVersion,
            SettlementAmount = new Money { CurrencyCode = c.Settlement.CurrencyCode, AmountMinor = c.Settlement.AmountMinor },
            SettlementAmountMicros = c.Settlement.AmountMicros,
        });
    }

    /// <summary>The rate lock of the request's quote; its expiry is checked by the ledger, after idempotency.</summary>
    private RateLock? LockOf(ConvertRequest request, string caller)
    {
        if (request.QuoteId.Length == 0)
        {
            return null;
        }
        var claim = quotes.Read(request.QuoteId);
        if (claim is null || claim.ProgramCode != caller)
        {
            throw RpcErrors.ToException(Refusal.Of(ErrorReason.QuoteInvalid, "The quote id was not issued by this exchange to this caller."));
        }
        if (claim.DestinationProgramCode != request.DestinationProgramCode || claim.SourcePoints != request.SourcePoints)
        {
            throw RpcErrors.ToException(Refusal.Of(ErrorReason.QuoteMismatch, "The conversion does not match its quote's destination or points."));
        }
        return claim.ToLock();
    }

    private async Task<PartnerRecord> RequireActiveAsync(string programCode, string side, CancellationToken cancellationToken)
    {
        var partner = await queries.GetPartnerAsync(programCode, cancellationToken)
            ?? throw RpcErrors.ToException(Partners.NotFound(programCode));
        if (partner.Suspended)
        {
            throw RpcErrors.ToException(Refusal.Of(ErrorReason.PartnerSuspended, "The partner is suspended; points cannot move.", ("side", side)));
        }
        return partner;
    }
}
