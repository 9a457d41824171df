using Grpc.Core;
using PartnerExchange.Testing;
using PartnerExchange.V1;
using static PartnerExchange.Server.Tests.Infrastructure.SettlementClients;

namespace PartnerExchange.Server.Tests.Settlement;

/// <summary>Settlement maths over a generated network of five partners, thousands of conversions and reversals across two periods.</summary>
public sealed class NetworkSettlementTests(SettlementNetwork network) : IntegrationTest(network.Exchange), IClassFixture<SettlementNetwork>
{
    private static readonly Dictionary<string, int> Exponents = new(StringComparer.Ordinal) { ["USD"] = 2, ["EUR"] = 2, ["JPY"] = 0 };

    private IEnumerable<ClosePeriodResponse> Periods => [network.First, network.Second];

    [Fact]
    public async Task ClosePeriod_StatementTotals_EqualTheSumOfTheirLines()
    {
        foreach (var period in Periods)
        {
            Assert.Equal(period.Statements.Count, period.Period.StatementCount);
            foreach (var statement in period.Statements)
            {
                var lines = await ExportAsync(network.Settlement(), statement.StatementId);

                Assert.Equal(statement.LineCount, lines.Count);
                Assert.Equal(lines.Sum(l => l.DestinationPoints), statement.DestinationPoints);
                Assert.Equal(lines.Sum(l => l.AmountMicros), statement.GrossAmountMicros);
                Assert.Equal(ToMinor(statement.GrossAmountMicros, Exponents[statement.CurrencyCode]), statement.GrossAmountMinor);
                Assert.Equal(ToMinor(statement.GrossAmountMinor * SettlementNetwork.FeeBasisPoints, 2), statement.NetworkFeeMinor); // ÷ 10,000, half away from zero.
                Assert.Equal(Math.Max(0, statement.GrossAmountMinor), statement.AmountDueMinor);
                Assert.Equal(lines.OrderBy(l => l.Sequence).Select(l => l.Sequence), lines.Select(l => l.Sequence));
            }
        }
        Assert.Equal(network.Conversions.Count + network.ReversalsOf.Count, Periods.Sum(p => p.Statements.Sum(s => s.LineCount)));
    }

    [Fact]
    public void ClosePeriod_NetPositions_SumToZeroPerCurrencyAndMatchTheStatements()
    {
        foreach (var period in Periods)
        {
            Assert.NotEmpty(period.Period.NetPositions);
            foreach (var currency in period.Period.NetPositions.GroupBy(p => p.CurrencyCode))
            {
                Assert.Equal(0, currency.Sum(p => p.NetMinor));
            }
            foreach (var position in period.Period.NetPositions)
            {
                var ofCurrency = period.Statements.Where(s => s.CurrencyCode == position.CurrencyCode).ToList();
                Assert.Equal(ofCurrency.Where(s => s.PayeeProgramCode == position.ProgramCode).Sum(s => s.GrossAmountMinor), position.ReceivableMinor);
                Assert.Equal(ofCurrency.Where(s => s.PayerProgramCode == position.ProgramCode).Sum(s => s.GrossAmountMinor), position.PayableMinor);
                Assert.Equal(position.ReceivableMinor - position.PayableMinor, position.NetMinor);
            }
        }
    }

    [Fact]
    public void ClosePeriod_NetPositions_ChargeEachPayerTheNetworkFeesOfItsStatements()
    {
        foreach (var period in Periods)
        {
            foreach (var position in period.Period.NetPositions)
            {
                var paid = period.Statements.Where(s => s.CurrencyCode == position.CurrencyCode && s.PayerProgramCode == position.ProgramCode);
                Assert.Equal(paid.Sum(s => s.NetworkFeeMinor), position.NetworkFeeMinor);
                Assert.Equal(position.NetMinor - position.NetworkFeeMinor, position.NetAfterFeeMinor);
            }
            Assert.Contains(period.Period.NetPositions, p => p.NetworkFeeMinor != 0);
            foreach (var currency in period.Period.NetPositions.GroupBy(p => p.CurrencyCode))
            {
                // What the partners pay in all beyond what they receive is the network's fee income.
                var fees = period.Statements.Where(s => s.CurrencyCode == currency.Key).Sum(s => s.NetworkFeeMinor);
                Assert.Equal(-fees, currency.Sum(p => p.NetAfterFeeMinor));
            }
        }
    }

    [Fact]
    public async Task ClosePeriod_SamePeriodAgainWithNewKey_ReturnsIdenticalStatementsAndHashes()
    {
        var again = network.FirstRequest.Clone();
        again.IdempotencyKey = Guid.NewGuid().ToString("N");

        var closed = await network.Settlement().ClosePeriodAsync(again);

        Assert.Equal(network.First, closed);
        var read = await network.Settlement().GetPeriodAsync(new GetPeriodRequest { PeriodId = network.First.Period.PeriodId });
        Assert.Equal(network.First.Period, read.Period);
    }

    [Fact]
    public async Task ContentHash_RecomputedFromExportedLinesWithTheDocumentedEncoding_EqualsStoredHash()
    {
        foreach (var period in Periods)
        {
            foreach (var statement in period.Statements)
            {
                var lines = await ExportAsync(network.Settlement(), statement.StatementId);

                Assert.Equal(statement.ContentHash, StatementHash(period.Period, statement, lines));
            }
            Assert.Equal(period.Period.ContentHash, PeriodHash(period.Statements));
        }
    }

    [Fact]
    public async Task ClosePeriod_ReversalsAfterThePeriodClosed_FallIntoTheNextPeriodAsNegativeLines()
    {
        var first = await AllLinesAsync(network.First);
        var second = await AllLinesAsync(network.Second);

        var reversals = second.Where(l => l.Kind == TransactionKind.Reversal).ToList();
        Assert.Equal(network.ReversalsOf.Keys.Order(StringComparer.Ordinal), reversals.Select(l => l.ReversedTransactionId).Order(StringComparer.Ordinal));
        foreach (var reversal in reversals)
        {
            var original = network.Conversions[reversal.ReversedTransactionId].Response;
            Assert.Equal(network.ReversalsOf[reversal.ReversedTransactionId].TransactionId, reversal.TransactionId);
            Assert.Equal(-original.DestinationPoints, reversal.DestinationPoints);
            Assert.Equal(-original.SettlementAmountMicros, reversal.AmountMicros);
            Assert.Equal(-original.SettlementAmount.AmountMinor, reversal.AmountMinor);
            Assert.Single(first, l => l.TransactionId == reversal.ReversedTransactionId);
        }
        // Every conversion is in exactly one period, once.
        var conversionLines = first.Concat(second).Where(l => l.Kind == TransactionKind.Conversion).Select(l => l.TransactionId).ToList();
        Assert.Equal(network.Conversions.Keys.Order(StringComparer.Ordinal), conversionLines.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ExportStatementLines_CarriesTheMembersAndAmountsOfEachConversion()
    {
        foreach (var line in await AllLinesAsync(network.First))
        {
            var conversion = network.Conversions[line.TransactionId];
            Assert.Equal(TransactionKind.Conversion, line.Kind);
            Assert.Equal(conversion.SourceMember, line.SourceMemberNumber);
            Assert.Equal(conversion.DestinationMember, line.DestinationMemberNumber);
            Assert.Equal(conversion.Response.DestinationPoints, line.DestinationPoints);
            Assert.Equal(conversion.Response.SettlementAmountMicros, line.AmountMicros);
            Assert.Equal(conversion.Response.Transaction.CreateTime, line.CreateTime);
            Assert.Equal("", line.ReversedTransactionId);
        }
        foreach (var line in (await AllLinesAsync(network.Second)).Where(l => l.Kind == TransactionKind.Reversal))
        {
            var conversion = network.Conversions[line.ReversedTransactionId];
            Assert.Equal(conversion.SourceMember, line.SourceMemberNumber);
            Assert.Equal(conversion.DestinationMember, line.DestinationMemberNumber);
        }
    }

    [Fact]
    public async Task ListPeriods_LatestFirst_AndListStatementsPagesThroughOnePartner()
    {
        var listed = await network.Settlement().ListPeriodsAsync(new ListPeriodsRequest { PageSize = 1 });
        var rest = await network.Settlement().ListPeriodsAsync(new ListPeriodsRequest { PageSize = 1, PageToken = listed.NextPageToken });

        Assert.Equal([network.Second.Period, network.First.Period], listed.Periods.Concat(rest.Periods));
        Assert.Equal("", rest.NextPageToken);

        var partner = network.Partners[0].ProgramCode;
        var pages = new List<Statement>();
        var token = "";
        do
        {
            var page = await network.Settlement().ListStatementsAsync(new ListStatementsRequest
            {
                PeriodId = network.First.Period.PeriodId, ProgramCode = partner, PageSize = 3, PageToken = token,
            });
            pages.AddRange(page.Statements);
            token = page.NextPageToken;
        }
        while (token.Length > 0);
        Assert.Equal(network.First.Statements.Where(s => s.PayerProgramCode == partner || s.PayeeProgramCode == partner), pages);
    }

    private async Task<List<StatementLine>> AllLinesAsync(ClosePeriodResponse period)
    {
        var lines = new List<StatementLine>();
        foreach (var statement in period.Statements)
        {
            lines.AddRange(await ExportAsync(network.Settlement(), statement.StatementId));
        }
        return lines;
    }
}

/// <summary>Settlement RPCs one behaviour at a time: periods, payments, reconciliation and refusals.</summary>
public sealed class SettlementTests(RunningExchange exchange) : IntegrationTest(exchange), IClassFixture<RunningExchange>
{
    private SettlementService.SettlementServiceClient Settlement => Operator(Exchange);

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        LedgerInvariants.AssertHold(Exchange.DatabasePath);
    }

    [Fact]
    public async Task ClosePeriod_OverlappingAClosedPeriod_IsRefusedWithItsId()
    {
        var (closed, request, _) = await SettledPairAsync(1000, 2000);
        var overlapping = new ClosePeriodRequest
        {
            IdempotencyKey = Guid.NewGuid().ToString("N"),
            StartTime = PlusMicros(request.StartTime, 1),
            EndTime = PlusMicros(request.EndTime, 1),
        };

        var error = await RpcAssert.FailsAsync(StatusCode.FailedPrecondition, "PERIOD_OVERLAPS", () => Settlement.ClosePeriodAsync(overlapping));

        Assert.Equal(closed.Period.PeriodId, RpcAssert.InfoOf(error)!.Metadata["period_id"]);
    }

    [Fact]
    public async Task ClosePeriod_EndingInTheFuture_IsPeriodNotEnded()
    {
        var now = DateTimeOffset.UtcNow;
        var request = Close(Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(now.AddYears(50)),
            Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(now.AddYears(51)));

        await RpcAssert.FailsAsync(StatusCode.FailedPrecondition, "PERIOD_NOT_ENDED", () => Settlement.ClosePeriodAsync(request));
    }

    [Fact]
    public async Task ClosePeriod_EndNotAfterStart_IsInvalid()
    {
        var now = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(-1));

        await RpcAssert.InvalidAsync(() => Settlement.ClosePeriodAsync(Close(now, now)), "end_time");
    }

    [Fact]
    public async Task ClosePeriod_ReversalAfterItsPeriodWasSettled_IsARefundThePayeeOwes()
    {
        var (first, request, conversions) = await SettledPairAsync(1250);
        var paid = Assert.Single(first.Statements);
        await Settlement.RecordPaymentAsync(Pay(paid, paid.AmountDueMinor, "wire"));
        var shop = conversions[0].Source;
        var reversal = await shop.Points.ReverseAsync(new ReverseRequest
        {
            IdempotencyKey = Guid.NewGuid().ToString("N"), TransactionId = conversions[0].Response.Transaction.TransactionId,
        });

        var second = await Settlement.ClosePeriodAsync(Close(request.EndTime, PlusMicros(reversal.Transaction.CreateTime, 1)));

        var refund = Assert.Single(second.Statements);
        Assert.Equal(-paid.AmountDueMinor, refund.GrossAmountMinor);
        Assert.Equal(0, refund.AmountDueMinor);
        Assert.Equal(paid.AmountDueMinor, refund.RefundDueMinor);
        Assert.Equal(StatementStatus.Open, refund.Status);
        var payer = Assert.Single(second.Period.NetPositions, p => p.ProgramCode == refund.PayerProgramCode);
        Assert.Equal(refund.RefundDueMinor, payer.NetMinor);
    }

    [Fact]
    public async Task RecordPayment_RefundOfARefundStatement_SettlesIt()
    {
        var (_, request, conversions) = await SettledPairAsync(1250);
        var reversal = await conversions[0].Source.Points.ReverseAsync(new ReverseRequest
        {
            IdempotencyKey = Guid.NewGuid().ToString("N"), TransactionId = conversions[0].Response.Transaction.TransactionId,
        });
        var second = await Settlement.ClosePeriodAsync(Close(request.EndTime, PlusMicros(reversal.Transaction.CreateTime, 1)));
        var refund = Assert.Single(second.Statements);

        await RpcAssert.FailsAsync(StatusCode.FailedPrecondition, "OVERPAYMENT",
            () => Settlement.RecordPaymentAsync(Pay(refund, refund.RefundDueMinor + 1, "refund")));
        var settled = await Settlement.RecordPaymentAsync(Pay(refund, refund.RefundDueMinor, "refund"));

        Assert.Equal(StatementStatus.Settled, settled.Statement.Status);
        Assert.Equal(refund.RefundDueMinor, settled.Statement.PaidMinor);
    }

    [Fact]
    public async Task RecordPayment_PartialThenFull_MovesStatementFromOpenToPartiallyPaidToSettled()
    {
        var statement = await SingleStatementAsync(1000, 3000); // 800 + 2400 points at 0.0125 → USD 40.00.
        Assert.Equal(4000, statement.AmountDueMinor);
        Assert.Equal(StatementStatus.Open, statement.Status);

        var partial = await Settlement.RecordPaymentAsync(Pay(statement, 1500, "wire-1"));
        var full = await Settlement.RecordPaymentAsync(Pay(statement, 2500, "wire-2"));

        Assert.Equal(StatementStatus.PartiallyPaid, partial.Statement.Status);
        Assert.Equal(1500, partial.Statement.PaidMinor);
        Assert.Equal(StatementStatus.Settled, full.Statement.Status);
        Assert.Equal(4000, full.Statement.PaidMinor);
        var read = await Settlement.GetStatementAsync(new GetStatementRequest { StatementId = statement.StatementId });
        Assert.Equal(full.Statement, read.Statement);
        Assert.Equal([partial.Payment, full.Payment], read.Payments);
        Assert.Equal("wire-1", read.Payments[0].Reference);
    }

    [Fact]
    public async Task RecordPayment_RepeatedWithSameKey_ReplaysThePaymentOnce()
    {
        var statement = await SingleStatementAsync(1000);
        var request = Pay(statement, 100, "wire");

        var first = await Settlement.RecordPaymentAsync(request);
        var again = await Settlement.RecordPaymentAsync(request);

        Assert.Equal(first, again);
        var read = await Settlement.GetStatementAsync(new GetStatementRequest { StatementId = statement.StatementId });
        Assert.Single(read.Payments);
    }

    [Fact]
    public async Task RecordPayment_MoreThanOutstanding_IsOverpaymentWithOutstandingAmount()
    {
        var statement = await SingleStatementAsync(1000); // USD 10.00.
        await Settlement.RecordPaymentAsync(Pay(statement, 400, "wire-1"));

        var error = await RpcAssert.FailsAsync(StatusCode.FailedPrecondition, "OVERPAYMENT",
            () => Settlement.RecordPaymentAsync(Pay(statement, 601, "wire-2")));

        Assert.Equal("600", RpcAssert.InfoOf(error)!.Metadata["outstanding_minor"]);
    }

    [Fact]
    public async Task RecordPayment_InAnotherCurrency_IsCurrencyMismatch()
    {
        var statement = await SingleStatementAsync(1000);
        var request = Pay(statement, 100, "wire");
        request.Amount.CurrencyCode = "EUR";

        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "CURRENCY_MISMATCH", () => Settlement.RecordPaymentAsync(request));
    }

    [Fact]
    public async Task RecordPayment_UnknownStatement_IsStatementNotFound()
    {
        var request = new RecordPaymentRequest
        {
            IdempotencyKey = Guid.NewGuid().ToString("N"), StatementId = "st_unknown",
            Amount = new Money { CurrencyCode = "USD", AmountMinor = 1 },
        };

        await RpcAssert.FailsAsync(StatusCode.NotFound, "STATEMENT_NOT_FOUND", () => Settlement.RecordPaymentAsync(request));
    }

    [Fact]
    public async Task RecordPayment_ZeroAmount_IsInvalid()
    {
        var request = new RecordPaymentRequest
        {
            IdempotencyKey = Guid.NewGuid().ToString("N"), StatementId = "st_x", Amount = new Money { CurrencyCode = "USD", AmountMinor = 0 },
        };

        await RpcAssert.InvalidAsync(() => Settlement.RecordPaymentAsync(request), "amount.amount_minor");
    }

    [Fact]
    public async Task GetPeriodAndGetStatement_UnknownIds_AreNotFound()
    {
        await RpcAssert.FailsAsync(StatusCode.NotFound, "PERIOD_NOT_FOUND",
            () => Settlement.GetPeriodAsync(new GetPeriodRequest { PeriodId = "per_unknown" }));
        await RpcAssert.FailsAsync(StatusCode.NotFound, "PERIOD_NOT_FOUND",
            () => Settlement.ListStatementsAsync(new ListStatementsRequest { PeriodId = "per_unknown" }));
        await RpcAssert.FailsAsync(StatusCode.NotFound, "STATEMENT_NOT_FOUND",
            () => Settlement.GetStatementAsync(new GetStatementRequest { StatementId = "st_unknown" }));
    }

    [Fact]
    public async Task SettlementRpcs_WithPartnerKey_ArePermissionDenied()
    {
        var partner = await Exchange.CreatePartnerAsync();
        var client = WithKey(Exchange, partner.Key);

        await RpcAssert.FailsAsync(StatusCode.PermissionDenied, "OPERATOR_KEY_REQUIRED", () => client.ListPeriodsAsync(new ListPeriodsRequest()));
        await RpcAssert.FailsAsync(StatusCode.PermissionDenied, "OPERATOR_KEY_REQUIRED",
            () => client.ExportStatementLines(new ExportStatementLinesRequest { StatementId = "st_x" }).ResponseStream.MoveNext());
    }

    [Fact]
    public async Task ReconcileStatement_PartnerRecordEqualToTheStatement_IsClean()
    {
        var statement = await SingleStatementAsync(1000, 1003, 2501);
        var lines = await ExportAsync(Settlement, statement.StatementId);

        var report = await ReconcileAsync(statement.StatementId, lines.Select(RowOf));

        Assert.True(report.Clean);
        Assert.Equal(3, report.MatchedCount);
        Assert.Empty(report.Differences);
        Assert.Equal(statement.StatementId, report.StatementId);
    }

    [Fact]
    public async Task ReconcileStatement_MissingExtraAndChangedRows_AreEachReportedOnce()
    {
        var statement = await SingleStatementAsync(1000, 1003, 2501, 4000);
        var lines = await ExportAsync(Settlement, statement.StatementId);
        var rows = lines.Select(RowOf).ToList();
        var missing = rows[0];
        rows.RemoveAt(0);
        rows[0].AmountMinor += 1;
        rows.Add(new PartnerRecordRow { TransactionId = "tx_only_at_partner", DestinationPoints = 10, AmountMinor = 13 });

        var report = await ReconcileAsync(statement.StatementId, rows);

        Assert.False(report.Clean);
        Assert.Equal(2, report.MatchedCount);
        Assert.Equal(3, report.Differences.Count);
        var atPartner = Assert.Single(report.Differences, d => d.Kind == DifferenceKind.MissingAtPartner);
        Assert.Equal(missing.TransactionId, atPartner.TransactionId);
        Assert.Equal(missing.DestinationPoints, atPartner.ExchangePoints);
        var atExchange = Assert.Single(report.Differences, d => d.Kind == DifferenceKind.MissingAtExchange);
        Assert.Equal("tx_only_at_partner", atExchange.TransactionId);
        Assert.Equal(10, atExchange.PartnerPoints);
        var changed = Assert.Single(report.Differences, d => d.Kind == DifferenceKind.AmountMismatch);
        Assert.Equal(lines[1].TransactionId, changed.TransactionId);
        Assert.Equal(lines[1].AmountMinor, changed.ExchangeAmountMinor);
        Assert.Equal(lines[1].AmountMinor + 1, changed.PartnerAmountMinor);
    }

    [Fact]
    public async Task ReconcileStatement_FirstMessageIsARow_IsInvalid()
    {
        var call = () => ReconcileAsync(messages: [new ReconcileStatementRequest { Row = new PartnerRecordRow { TransactionId = "tx_a" } }]);

        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "VALIDATION_FAILED", call);
    }

    [Fact]
    public async Task ReconcileStatement_UnknownStatement_IsStatementNotFound() =>
        await RpcAssert.FailsAsync(StatusCode.NotFound, "STATEMENT_NOT_FOUND", () => ReconcileAsync("st_unknown", []));

    [Fact]
    public async Task ReconcileStatement_RowWithoutTransactionId_IsInvalidWithItsRowNumber()
    {
        var statement = await SingleStatementAsync(1000);
        var rows = new[] { new PartnerRecordRow { TransactionId = "tx_a" }, new PartnerRecordRow { DestinationPoints = 5 } };

        var error = await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "VALIDATION_FAILED", () => ReconcileAsync(statement.StatementId, rows));

        Assert.Equal("2", RpcAssert.InfoOf(error)!.Metadata["row_number"]);
    }

    private Task<ReconcileStatementResponse> ReconcileAsync(string statementId, IEnumerable<PartnerRecordRow> rows) =>
        ReconcileAsync([new ReconcileStatementRequest { StatementId = statementId }, .. rows.Select(r => new ReconcileStatementRequest { Row = r })]);

    private async Task<ReconcileStatementResponse> ReconcileAsync(IEnumerable<ReconcileStatementRequest> messages)
    {
        using var call = Settlement.ReconcileStatement();
        try
        {
            foreach (var message in messages)
            {
                await call.RequestStream.WriteAsync(message);
            }
            await call.RequestStream.CompleteAsync();
        }
        catch (Exception ex) when (ex is RpcException or InvalidOperationException)
        {
            // The server answered before reading everything (a refusal); its status is the response below.
        }
        return await call.ResponseAsync;
    }

    private static PartnerRecordRow RowOf(StatementLine line) =>
        new() { TransactionId = line.TransactionId, DestinationPoints = line.DestinationPoints, AmountMinor = line.AmountMinor };

    private async Task<Statement> SingleStatementAsync(params long[] sourcePoints)
    {
        var (closed, _, _) = await SettledPairAsync(sourcePoints);
        return Assert.Single(closed.Statements);
    }

    /// <summary>
    /// Two fresh partners (payer at USD 0.01, payee at USD 0.0125 a point, rate 1000:800), one conversion
    /// per amount, and the period from the first conversion to just after the last, closed. Tests in this
    /// class run one after another, so their periods never overlap.
    /// </summary>
    internal async Task<(ClosePeriodResponse Closed, ClosePeriodRequest Request, List<SettlementNetwork.Conversion> Conversions)> SettledPairAsync(
        params long[] sourcePoints)
    {
        var shop = await Exchange.CreatePartnerAsync();
        var air = await Exchange.CreatePartnerAsync(pointPriceMicros: 12_500);
        await Exchange.SetExchangeRateAsync(ConversionRequests.Rate(shop, air, 1000, 800));
        var buyer = await shop.EnrollAsync();
        await shop.AccrueAsync(buyer, 1_000_000);
        var flyer = await air.EnrollAsync();
        var conversions = new List<SettlementNetwork.Conversion>();
        foreach (var points in sourcePoints)
        {
            var converted = await shop.Conversions.ConvertAsync(ConversionRequests.Convert(buyer, air, flyer, points));
            conversions.Add(new SettlementNetwork.Conversion(shop, buyer, air, flyer, converted));
        }
        var request = Close(conversions[0].Response.Transaction.CreateTime, PlusMicros(conversions[^1].Response.Transaction.CreateTime, 1));
        return (await Settlement.ClosePeriodAsync(request), request, conversions);
    }

    internal static ClosePeriodRequest Close(Google.Protobuf.WellKnownTypes.Timestamp start, Google.Protobuf.WellKnownTypes.Timestamp end) =>
        new() { IdempotencyKey = Guid.NewGuid().ToString("N"), StartTime = start, EndTime = end };

    private static RecordPaymentRequest Pay(Statement statement, long amountMinor, string reference) => new()
    {
        IdempotencyKey = Guid.NewGuid().ToString("N"),
        StatementId = statement.StatementId,
        Amount = new Money { CurrencyCode = statement.CurrencyCode, AmountMinor = amountMinor },
        Reference = reference,
    };
}
