using System.Globalization;
using Grpc.Core;
using Microsoft.Extensions.Options;
using PartnerExchange.Ledger;
using PartnerExchange.Ledger.Commands;
using PartnerExchange.Ledger.Reading;
using PartnerExchange.Server.Errors;
using PartnerExchange.Server.Expiry;
using PartnerExchange.Server.Hosting;
using PartnerExchange.Server.Mapping;
using PartnerExchange.Server.Paging;
using PartnerExchange.Server.RateLimiting;
using PartnerExchange.Server.Security;
using PartnerExchange.Server.Validation;
using PartnerExchange.Server.Writes;
using PartnerExchange.V1;
using DomainKind = PartnerExchange.Domain.Ledger.TransactionKind;

namespace PartnerExchange.Server.Services;

/// <summary>The Points service: validate, map to one ledger command or query, map back.</summary>
internal sealed class PointsApi(
    IdempotentWrites writes, LedgerQueries queries, MemberVelocity velocity, IOptions<ExchangeOptions> options,
    IOptions<LedgerOptions> ledger, ExpiryQueries expiry, IOptions<ExpiryOptions> expiryOptions, TimeProvider clock)
    : PointsService.PointsServiceBase
{
    private long MaxPoints => ledger.Value.MaxPointsPerTransaction;

    public override Task<EnrollMemberResponse> EnrollMember(EnrollMemberRequest request, ServerCallContext context)
    {
        request.Validate();
        var command = new EnrollMember(Caller.Of(context).Program, request.MemberNumber);
        return writes.RunAsync(context, request, command, m => new EnrollMemberResponse { Member = m.ToProto() });
    }

    public override async Task<AccrueResponse> Accrue(AccrueRequest request, ServerCallContext context)
    {
        request.Validate(MaxPoints);
        var isPurchase = request.AmountCase == AccrueRequest.AmountOneofCase.Purchase;
        var command = new Accrue(
            Caller.Of(context).Program, request.MemberNumber, isPurchase ? null : request.Points,
            isPurchase ? request.Purchase.AmountMinor : null, isPurchase ? request.Purchase.CurrencyCode : null,
            (int)request.Reason, request.Reference, MaxPoints);
        return await writes.RunAsync(context, request, velocity.Bucket(context, request.MemberNumber), command,
            r => new AccrueResponse { Transaction = r.Transaction.ToProto(), BalancePoints = r.BalancePoints });
    }

    public override Task<RedeemResponse> Redeem(RedeemRequest request, ServerCallContext context)
    {
        request.Validate(MaxPoints);
        var command = new Redeem(Caller.Of(context).Program, request.MemberNumber, request.Points, request.Reference);
        return writes.RunAsync(context, request, command,
            r => new RedeemResponse { Transaction = r.Transaction.ToProto(), BalancePoints = r.BalancePoints });
    }

    public override Task<ReverseResponse> Reverse(ReverseRequest request, ServerCallContext context)
    {
        request.Validate();
        var command = new Reverse(Caller.Of(context).Program, request.TransactionId, request.Reference);
        return writes.RunAsync(context, request, command,
            r => new ReverseResponse { Transaction = r.Transaction.ToProto(), BalancePoints = r.BalancePoints });
    }

    public override async Task<GetTransactionResponse> GetTransaction(GetTransactionRequest request, ServerCallContext context)
    {
        var program = await ProgramToReadAsync(context, request.ValidateFor);
        var view = await queries.GetTransactionAsync(program, request.TransactionId, context.CancellationToken)
            ?? throw RpcErrors.ToException(Transactions.NotFound());
        return new GetTransactionResponse { Transaction = view.ToProto() };
    }

    public override async Task<GetAccountResponse> GetAccount(GetAccountRequest request, ServerCallContext context)
    {
        var program = await ProgramToReadAsync(context, request.ValidateFor);
        var account = await queries.GetAccountAsync(program, request.MemberNumber, context.CancellationToken)
            ?? throw MemberNotFound();
        var expiring = await expiry.ExpiringAsync(program, request.MemberNumber, clock.GetUtcNow(), expiryOptions.Value.AccountHorizonDays,
            context.CancellationToken) ?? [];
        return new GetAccountResponse
        {
            Member = account.Member.ToProto(),
            BalancePoints = account.BalancePoints,
            Totals = ToTotals(account.Totals),
            LastSequence = account.LastSequence,
            Expiring = { expiring.Select(e => e.ToProto()) },
        };
    }

    public override async Task<ListTransactionsResponse> ListTransactions(ListTransactionsRequest request, ServerCallContext context)
    {
        var program = await ProgramToReadAsync(context, caller => request.ValidateFor(caller, options.Value));
        var member = request.MemberNumber.Length > 0 ? request.MemberNumber : null;
        if (member is not null && !await queries.IsEnrolledAsync(program, member, context.CancellationToken))
        {
            throw MemberNotFound();
        }
        var pageSize = PageTokens.PageSize(request.PageSize, options.Value);
        var filter = new TransactionFilter(
            program, member, request.Kinds.Select(k => (DomainKind)(int)k).ToList(), request.StartTime?.ToDateTimeOffset(),
            request.EndTime?.ToDateTimeOffset(), PageTokens.NumberCursor(request, request.PageToken, firstPage: long.MaxValue), pageSize + 1);
        var views = await queries.ListTransactionsAsync(filter, context.CancellationToken);
        var (page, next) = PageTokens.Slice(request, views, pageSize, v => v.Sequence.ToString(CultureInfo.InvariantCulture));
        return new ListTransactionsResponse { Transactions = { page.Select(v => v.ToProto()) }, NextPageToken = next };
    }

    private static AccountTotals ToTotals(IReadOnlyDictionary<DomainKind, (long CreditPoints, long DebitPoints)> totals)
    {
        (long Credit, long Debit) Of(DomainKind kind) => totals.TryGetValue(kind, out var t) ? t : (0, 0);
        return new AccountTotals
        {
            AccruedPoints = Of(DomainKind.Accrual).Credit,
            RedeemedPoints = Of(DomainKind.Redemption).Debit,
            ConvertedOutPoints = Of(DomainKind.Conversion).Debit,
            ConvertedInPoints = Of(DomainKind.Conversion).Credit,
            ReversalCreditPoints = Of(DomainKind.Reversal).Credit,
            ReversalDebitPoints = Of(DomainKind.Reversal).Debit,
            ExpiredPoints = Of(DomainKind.Expiry).Debit,
            AdjustmentCreditPoints = Of(DomainKind.Adjustment).Credit,
            AdjustmentDebitPoints = Of(DomainKind.Adjustment).Debit,
        };
    }

    /// <summary>
    /// The program a read is of, from the request's checks for the caller (see ProgramToRead). An operator's program
    /// must exist (a partner's own always does): PARTNER_NOT_FOUND, not MEMBER_NOT_FOUND.
    /// </summary>
    private async Task<string> ProgramToReadAsync(ServerCallContext context, Func<Caller, string> validateFor)
    {
        var caller = Caller.Of(context);
        var program = validateFor(caller);
        if (caller.ProgramCode is null && await queries.GetPartnerAsync(program, context.CancellationToken) is null)
        {
            throw RpcErrors.ToException(Partners.NotFound(program));
        }
        return program;
    }

    private static RpcException MemberNotFound() => RpcErrors.ToException(Members.NotFound());
}
