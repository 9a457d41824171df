using PartnerExchange.Domain;
using PartnerExchange.Domain.Money;
using PartnerExchange.Domain.Points;
using PartnerExchange.Server.Hosting;
using PartnerExchange.Server.Paging;
using PartnerExchange.Server.Security;
using PartnerExchange.V1;

namespace PartnerExchange.Server.Validation;

/// <summary>Field checks of the Points service's requests.</summary>
internal static class PointsValidation
{
    /// <summary>Largest purchase amount accepted, in minor units (10^15: far beyond any real basket).</summary>
    public const long MaxPurchaseAmountMinor = 1_000_000_000_000_000;
    private const int TransactionIdMaxLength = 64;

    public static void Validate(this EnrollMemberRequest request) =>
        new FieldChecks()
            .Add(Identifiers.IdempotencyKey(request.IdempotencyKey, "idempotency_key"))
            .Add(Identifiers.MemberNumber(request.MemberNumber, "member_number"))
            .ThrowIfInvalid();

    public static void Validate(this AccrueRequest request, long maxPoints)
    {
        var checks = new FieldChecks()
            .Add(Identifiers.IdempotencyKey(request.IdempotencyKey, "idempotency_key"))
            .Add(Identifiers.MemberNumber(request.MemberNumber, "member_number"))
            .Add(Identifiers.Reference(request.Reference, "reference"))
            .Require(request.Reason != AccrualReason.Unspecified && Enum.IsDefined(request.Reason), "reason", "must name why the points are given");
        switch (request.AmountCase)
        {
            case AccrueRequest.AmountOneofCase.Points:
                checks.Add(Identifiers.Points(request.Points, "points", maxPoints));
                break;
            case AccrueRequest.AmountOneofCase.Purchase:
                checks.Require(Currencies.IsKnown(request.Purchase.CurrencyCode), "purchase.currency_code", "must be a supported ISO 4217 code")
                    .Require(request.Purchase.AmountMinor is >= 1 and <= MaxPurchaseAmountMinor, "purchase.amount_minor",
                        $"must be between 1 and {MaxPurchaseAmountMinor}");
                break;
            default:
                checks.Require(false, "amount", "set either points or purchase");
                break;
        }
        checks.ThrowIfInvalid();
    }

    public static void Validate(this RedeemRequest request, long maxPoints) =>
        new FieldChecks()
            .Add(Identifiers.IdempotencyKey(request.IdempotencyKey, "idempotency_key"))
            .Add(Identifiers.MemberNumber(request.MemberNumber, "member_number"))
            .Add(Identifiers.Points(request.Points, "points", maxPoints))
            .Add(Identifiers.Reference(request.Reference, "reference"))
            .ThrowIfInvalid();

    public static void Validate(this ReverseRequest request) =>
        new FieldChecks()
            .Add(Identifiers.IdempotencyKey(request.IdempotencyKey, "idempotency_key"))
            .Add(TransactionId(request.TransactionId))
            .Add(Identifiers.Reference(request.Reference, "reference"))
            .ThrowIfInvalid();

    /// <summary>Checks the request for <paramref name="caller"/> and returns the program to read (see <see cref="ProgramToRead"/>).</summary>
    public static string ValidateFor(this GetTransactionRequest request, Caller caller)
    {
        var checks = new FieldChecks();
        var program = ProgramToRead.Resolve(caller, request.ProgramCode, checks);
        checks.Add(TransactionId(request.TransactionId)).ThrowIfInvalid();
        return program;
    }

    private static FieldViolation? TransactionId(string transactionId) =>
        transactionId.Length is > 0 and <= TransactionIdMaxLength
            ? null
            : new FieldViolation("transaction_id", $"must be a transaction id of 1–{TransactionIdMaxLength} characters");

    /// <summary>Checks the request for <paramref name="caller"/> and returns the program to read (see <see cref="ProgramToRead"/>).</summary>
    public static string ValidateFor(this GetAccountRequest request, Caller caller)
    {
        var checks = new FieldChecks();
        var program = ProgramToRead.Resolve(caller, request.ProgramCode, checks);
        checks.Add(Identifiers.MemberNumber(request.MemberNumber, "member_number")).ThrowIfInvalid();
        return program;
    }

    /// <summary>Checks the request for <paramref name="caller"/> and returns the program to read (see <see cref="ProgramToRead"/>).</summary>
    public static string ValidateFor(this ListTransactionsRequest request, Caller caller, ExchangeOptions options)
    {
        var checks = new FieldChecks();
        var program = ProgramToRead.Resolve(caller, request.ProgramCode, checks);
        checks
            .Add(PageTokens.CheckPageSize(request.PageSize, options))
            .Require(request.Kinds.Count <= options.MaxFilterKinds, "kinds", $"may list at most {options.MaxFilterKinds} kinds")
            .Require(request.Kinds.All(k => k != V1.TransactionKind.Unspecified && Enum.IsDefined(k)), "kinds", "must be known kinds")
            .Add(TimeChecks.Range(request.StartTime, request.EndTime, "start_time", "end_time"));
        if (request.MemberNumber.Length > 0)
        {
            checks.Add(Identifiers.MemberNumber(request.MemberNumber, "member_number"));
        }
        checks.ThrowIfInvalid();
        return program;
    }
}
