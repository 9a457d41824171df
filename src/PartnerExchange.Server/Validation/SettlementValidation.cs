using System.Collections.ObjectModel;
using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using PartnerExchange.Domain;
using PartnerExchange.Domain.Money;
using PartnerExchange.Domain.Points;
using PartnerExchange.Server.Errors;
using PartnerExchange.Server.Hosting;
using PartnerExchange.Server.Paging;
using PartnerExchange.V1;
using ErrorReason = PartnerExchange.Domain.ErrorReason;

namespace PartnerExchange.Server.Validation;

/// <summary>Field checks of the Settlement service's requests.</summary>
internal static class SettlementValidation
{
    /// <summary>Longest id accepted for a period, statement or transaction; longer ones cannot exist.</summary>
    public const int IdMaxLength = 64;

    public static void Validate(this ClosePeriodRequest request) =>
        new FieldChecks()
            .Add(Identifiers.IdempotencyKey(request.IdempotencyKey, "idempotency_key"))
            .Require(request.StartTime is not null, "start_time", "is required")
            .Require(request.EndTime is not null, "end_time", "is required")
            .Add(TimeChecks.Range(request.StartTime, request.EndTime, "start_time", "end_time"))
            .Require(request.StartTime is null || request.StartTime.Seconds >= 0, "start_time", "must not be before 1970-01-01T00:00:00Z")
            .ThrowIfInvalid();

    public static void Validate(this ListPeriodsRequest request, ExchangeOptions options) =>
        new FieldChecks().Add(PageTokens.CheckPageSize(request.PageSize, options)).ThrowIfInvalid();

    public static void Validate(this ListStatementsRequest request, ExchangeOptions options) =>
        new FieldChecks()
            .Add(Id(request.PeriodId, "period_id"))
            .Add(request.ProgramCode.Length == 0 ? null : Identifiers.ProgramCode(request.ProgramCode, "program_code"))
            .Add(PageTokens.CheckPageSize(request.PageSize, options))
            .ThrowIfInvalid();

    public static void Validate(this RecordPaymentRequest request) =>
        new FieldChecks()
            .Add(Identifiers.IdempotencyKey(request.IdempotencyKey, "idempotency_key"))
            .Add(Id(request.StatementId, "statement_id"))
            .Require(request.Amount is not null, "amount", "is required")
            .Require(request.Amount is null || Currencies.IsKnown(request.Amount.CurrencyCode), "amount.currency_code",
                "must be a supported ISO 4217 code")
            .Require(request.Amount is null || request.Amount.AmountMinor > 0, "amount.amount_minor", "must be positive")
            .Add(Identifiers.Reference(request.Reference, "reference"))
            .ThrowIfInvalid();

    /// <summary>A period, statement or transaction id: 1–64 characters. Unknown ids are NOT_FOUND, not invalid.</summary>
    public static void ValidateId(string id, string field) => new FieldChecks().Add(Id(id, field)).ThrowIfInvalid();

    /// <summary>The first message of ReconcileStatement must name the statement.</summary>
    public static string StatementIdOf(ReconcileStatementRequest? first)
    {
        if (first?.ItemCase != ReconcileStatementRequest.ItemOneofCase.StatementId)
        {
            throw RpcErrors.ToException(Refusal.Invalid("statement_id", "the first message must name the statement"));
        }
        ValidateId(first.StatementId, "statement_id");
        return first.StatementId;
    }

    /// <summary>
    /// A row of the partner's record (numbered from 1 after the first message): a row with a transaction
    /// id, and no more than <paramref name="maxRows"/> of them. The row number is in the metadata.
    /// </summary>
    public static PartnerRecordRow RowOf(ReconcileStatementRequest message, long rowNumber, int maxRows)
    {
        if (rowNumber > maxRows)
        {
            throw InvalidRow(rowNumber, "row", $"at most {maxRows} rows may be reconciled in one call");
        }
        if (message.ItemCase != ReconcileStatementRequest.ItemOneofCase.Row)
        {
            throw InvalidRow(rowNumber, "row", "every message after the first must carry a row");
        }
        if (message.Row.TransactionId.Length is 0 or > IdMaxLength)
        {
            throw InvalidRow(rowNumber, "row.transaction_id", $"must be a transaction id of 1–{IdMaxLength} characters");
        }
        return message.Row;
    }

    /// <summary>A period bound in whole microseconds, rounded up: for times stored in whole microseconds, [⌈s⌉, ⌈e⌉) holds exactly what [s, e) holds.</summary>
    public static DateTimeOffset ToWholeMicros(Timestamp time)
    {
        var micros = (time.Seconds * 1_000_000) + ((time.Nanos + 999) / 1_000);
        return DateTimeOffset.UnixEpoch.AddTicks(micros * 10);
    }

    private static FieldViolation? Id(string id, string field) =>
        id.Length is > 0 and <= IdMaxLength ? null : new FieldViolation(field, $"must be an id of 1–{IdMaxLength} characters");

    private static Grpc.Core.RpcException InvalidRow(long rowNumber, string field, string description)
    {
        var number = rowNumber.ToString(CultureInfo.InvariantCulture);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal) { ["row_number"] = number };
        return RpcErrors.ToException(new Refusal(ErrorReason.ValidationFailed, Refusal.InvalidFieldsMessage,
            metadata.AsReadOnly(), new ReadOnlyCollection<FieldViolation>([new FieldViolation(field, $"row {number}: {description}")])));
    }
}
