using System.Globalization;
using Grpc.Core;
using Microsoft.Extensions.Options;
using PartnerExchange.Domain;
using PartnerExchange.Domain.Settlement;
using PartnerExchange.Ledger.Settlement;
using PartnerExchange.Server.Errors;
using PartnerExchange.Server.Hosting;
using PartnerExchange.Server.Mapping;
using PartnerExchange.Server.Paging;
using PartnerExchange.Server.Settlement;
using PartnerExchange.Server.Validation;
using PartnerExchange.Server.Writes;
using PartnerExchange.V1;
using ErrorReason = PartnerExchange.Domain.ErrorReason;

namespace PartnerExchange.Server.Services;

/// <summary>The Settlement service: periods, statements, payments and reconciliation, for operators.</summary>
internal sealed class SettlementApi(
    IdempotentWrites writes, SettlementQueries queries, PeriodSnapshots snapshots, SettlementAudit audit, IOptions<ExchangeOptions> options,
    IOptions<SettlementOptions> settlement) : SettlementService.SettlementServiceBase
{
    public override async Task<ClosePeriodResponse> ClosePeriod(ClosePeriodRequest request, ServerCallContext context)
    {
        request.Validate();
        var (start, end) = (SettlementValidation.ToWholeMicros(request.StartTime), SettlementValidation.ToWholeMicros(request.EndTime));
        var fee = settlement.Value.NetworkFeeBasisPoints;
        // Read and hashed outside the writer; the writer then stores it, with whatever committed meanwhile.
        var snapshot = await snapshots.ReadAsync(start, end, fee, context.CancellationToken);
        var command = new ClosePeriod(start, end, fee) { Snapshot = snapshot };
        return await writes.RunAsync(context, request, command, closed => closed.ToProto());
    }

    public override async Task<GetPeriodResponse> GetPeriod(GetPeriodRequest request, ServerCallContext context)
    {
        SettlementValidation.ValidateId(request.PeriodId, "period_id");
        var period = await queries.GetPeriodAsync(request.PeriodId, context.CancellationToken) ?? throw PeriodNotFound(request.PeriodId);
        return new GetPeriodResponse { Period = period.ToProto() };
    }

    public override async Task<ListPeriodsResponse> ListPeriods(ListPeriodsRequest request, ServerCallContext context)
    {
        request.Validate(options.Value);
        var pageSize = PageTokens.PageSize(request.PageSize, options.Value);
        var before = PageTokens.NumberCursor(request, request.PageToken, firstPage: long.MaxValue);
        var periods = await queries.ListPeriodsAsync(before, pageSize + 1, context.CancellationToken);
        var (page, next) = PageTokens.Slice(request, periods, pageSize, p => Micros(p.Start));
        return new ListPeriodsResponse { Periods = { page.Select(p => p.ToProto()) }, NextPageToken = next };
    }

    public override async Task<ListStatementsResponse> ListStatements(ListStatementsRequest request, ServerCallContext context)
    {
        request.Validate(options.Value);
        var offset = (int)Math.Min(int.MaxValue, PageTokens.NumberCursor(request, request.PageToken, firstPage: 0));
        var pageSize = PageTokens.PageSize(request.PageSize, options.Value);
        var statements = await queries.ListStatementsAsync(request.PeriodId, request.ProgramCode.Length == 0 ? null : request.ProgramCode,
            context.CancellationToken) ?? throw PeriodNotFound(request.PeriodId);
        // A period has a statement per partner pair and currency, so its list pages by position.
        var remaining = statements.Skip(offset).Take(pageSize + 1).Select((s, i) => (s, position: offset + i + 1)).ToList();
        var (page, next) = PageTokens.Slice(request, remaining, pageSize, s => s.position.ToString(CultureInfo.InvariantCulture));
        return new ListStatementsResponse { Statements = { page.Select(s => s.s.ToProto()) }, NextPageToken = next };
    }

    public override async Task<GetStatementResponse> GetStatement(GetStatementRequest request, ServerCallContext context)
    {
        SettlementValidation.ValidateId(request.StatementId, "statement_id");
        var detail = await queries.GetStatementAsync(request.StatementId, context.CancellationToken)
            ?? throw StatementNotFound(request.StatementId);
        return new GetStatementResponse { Statement = detail.Statement.ToProto(), Payments = { detail.Payments.Select(p => p.ToProto()) } };
    }

    public override async Task ExportStatementLines(
        ExportStatementLinesRequest request, IServerStreamWriter<ExportStatementLinesResponse> responseStream, ServerCallContext context)
    {
        SettlementValidation.ValidateId(request.StatementId, "statement_id");
        var statement = (await queries.GetStatementAsync(request.StatementId, context.CancellationToken))?.Statement
            ?? throw StatementNotFound(request.StatementId);
        var batchSize = settlement.Value.ExportBatchSize;
        var after = 0L;
        IReadOnlyList<StatementLineRecord> lines;
        do
        {
            lines = await queries.ReadLinesAsync(statement, after, batchSize, context.CancellationToken);
            if (lines.Count > 0)
            {
                await responseStream.WriteAsync(new ExportStatementLinesResponse { Lines = { lines.Select(l => l.ToProto()) } });
                after = lines[^1].Sequence;
            }
        }
        while (lines.Count == batchSize);
    }

    public override Task<RecordPaymentResponse> RecordPayment(RecordPaymentRequest request, ServerCallContext context)
    {
        request.Validate();
        var command = new RecordPayment(request.StatementId, request.Amount.CurrencyCode, request.Amount.AmountMinor, request.Reference);
        return writes.RunAsync(context, request, command,
            r => new RecordPaymentResponse { Statement = r.Statement.ToProto(), Payment = r.Payment.ToProto() });
    }

    public override async Task<ReconcileStatementResponse> ReconcileStatement(
        IAsyncStreamReader<ReconcileStatementRequest> requestStream, ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        var statementId = SettlementValidation.StatementIdOf(await requestStream.MoveNext(cancellationToken) ? requestStream.Current : null);
        _ = await queries.GetStatementAsync(statementId, cancellationToken) ?? throw StatementNotFound(statementId);
        var rows = new List<ReconciliationEntry>();
        while (await requestStream.MoveNext(cancellationToken))
        {
            rows.Add(SettlementValidation.RowOf(requestStream.Current, rows.Count + 1, settlement.Value.MaxReconciliationRows).ToEntry());
        }
        var lines = await queries.ReadObligationLinesAsync(statementId, cancellationToken);
        return Reconciliation.Match(lines.Select(l => l.ToEntry()).ToList(), rows).ToProto(statementId);
    }

    public override Task<GetLiabilityResponse> GetLiability(GetLiabilityRequest request, ServerCallContext context) =>
        audit.GetLiabilityAsync(request, context);

    public override Task<VerifyLedgerResponse> VerifyLedger(VerifyLedgerRequest request, ServerCallContext context) =>
        audit.VerifyLedgerAsync(request, context);

    private static string Micros(DateTimeOffset time) =>
        ((time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10).ToString(CultureInfo.InvariantCulture);

    private static RpcException PeriodNotFound(string periodId) =>
        RpcErrors.ToException(Refusal.Of(ErrorReason.PeriodNotFound, "No closed settlement period has this id.", ("period_id", periodId)));

    private static RpcException StatementNotFound(string statementId) =>
        RpcErrors.ToException(Refusal.Of(ErrorReason.StatementNotFound, "No statement has this id.", ("statement_id", statementId)));
}
