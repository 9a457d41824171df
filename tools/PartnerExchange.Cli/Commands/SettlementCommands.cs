using System.CommandLine;
using PartnerExchange.Cli.Input;
using PartnerExchange.Cli.Output;
using PartnerExchange.Domain.Money;
using PartnerExchange.V1;

namespace PartnerExchange.Cli.Commands;

/// <summary><c>pxctl settlement close|periods|show|statements|statement|export|pay</c>.</summary>
internal static class SettlementCommands
{
    public static Command Build(CommandRunner runner)
    {
        var settlement = new Command("settlement", "Settlement periods, statements, exports and payments.");
        settlement.Subcommands.Add(Close(runner));
        settlement.Subcommands.Add(Periods(runner));
        settlement.Subcommands.Add(Show(runner));
        settlement.Subcommands.Add(Statements(runner));
        settlement.Subcommands.Add(Statement(runner));
        settlement.Subcommands.Add(StatementExport.Build(runner));
        settlement.Subcommands.Add(Pay(runner));
        return settlement;
    }

    private static Command Close(CommandRunner runner)
    {
        var from = OptionFactory.Time("--from", "Start of the period (inclusive), UTC, e.g. 2026-11-01T00:00:00Z, today, yesterday or -1d.", required: true);
        var to = OptionFactory.Time("--to", "End of the period (exclusive), UTC, e.g. now or today; not in the future.", required: true);
        var command = new Command(
            "close", "Closes the period [--from, --to) into immutable statements. Closing the same period again returns the same result.")
        {
            from, to,
        };
        runner.Mutates(command, async (context, cancellationToken) =>
        {
            var request = new ClosePeriodRequest
            {
                IdempotencyKey = context.IdempotencyKey,
                StartTime = context.Value(from),
                EndTime = context.Value(to),
            };
            var response = await context.Exchange.Settlement.ClosePeriodAsync(request, context.Exchange.Call(cancellationToken));
            if (context.Output.IsJson)
            {
                context.Output.WriteJson(response);
                return Cli.ExitOk;
            }
            WritePeriod(context.Output, response.Period);
            context.Output.Line();
            WriteStatements(context.Output, response.Statements);
            return Cli.ExitOk;
        });
        return command;
    }

    private static Command Periods(CommandRunner runner)
    {
        var command = new Command("periods", "Lists closed periods, latest first.");
        runner.Reads(command, async (context, cancellationToken) =>
        {
            var all = new ListPeriodsResponse();
            var request = new ListPeriodsRequest { PageSize = OptionFactory.PageSize };
            do
            {
                var page = await context.Exchange.Settlement.ListPeriodsAsync(request, context.Exchange.Call(cancellationToken));
                all.Periods.AddRange(page.Periods);
                request.PageToken = page.NextPageToken;
            }
            while (request.PageToken.Length > 0);

            if (context.Output.IsJson)
            {
                context.Output.WriteJson(all);
                return Cli.ExitOk;
            }
            var table = Terminal.NewTable("PERIOD", "START", "END", "CLOSED", "STATEMENTS");
            foreach (var period in all.Periods)
            {
                Terminal.AddRow(
                    table,
                    period.PeriodId,
                    Display.Time(period.StartTime),
                    Display.Time(period.EndTime),
                    Display.Time(period.CloseTime),
                    Display.Count(period.StatementCount));
            }
            context.Output.Write(table);
            context.Output.Line($"{all.Periods.Count} period(s)");
            return Cli.ExitOk;
        });
        return command;
    }

    private static Command Show(CommandRunner runner)
    {
        var periodId = new Argument<string>("PERIOD_ID") { Description = "The closed period." };
        var command = new Command("show", "Shows a closed period with every partner's net position.") { periodId };
        runner.Reads(command, async (context, cancellationToken) =>
        {
            var response = await context.Exchange.Settlement.GetPeriodAsync(
                new GetPeriodRequest { PeriodId = context.Required(periodId) }, context.Exchange.Call(cancellationToken));
            if (context.Output.IsJson)
            {
                context.Output.WriteJson(response);
                return Cli.ExitOk;
            }
            WritePeriod(context.Output, response.Period);
            return Cli.ExitOk;
        });
        return command;
    }

    private static Command Statements(CommandRunner runner)
    {
        var periodId = new Argument<string>("PERIOD_ID") { Description = "The closed period." };
        var partner = new Option<string?>("--partner") { Description = "Only statements where this partner pays or is paid." };
        var command = new Command("statements", "Lists the statements of a period.") { periodId, partner };
        runner.Reads(command, async (context, cancellationToken) =>
        {
            var all = new ListStatementsResponse();
            var request = new ListStatementsRequest
            {
                PeriodId = context.Required(periodId),
                ProgramCode = context.Value(partner) ?? "",
                PageSize = OptionFactory.PageSize,
            };
            do
            {
                var page = await context.Exchange.Settlement.ListStatementsAsync(request, context.Exchange.Call(cancellationToken));
                all.Statements.AddRange(page.Statements);
                request.PageToken = page.NextPageToken;
            }
            while (request.PageToken.Length > 0);

            if (context.Output.IsJson)
            {
                context.Output.WriteJson(all);
                return Cli.ExitOk;
            }
            WriteStatements(context.Output, all.Statements);
            return Cli.ExitOk;
        });
        return command;
    }

    private static Command Statement(CommandRunner runner)
    {
        var statementId = new Argument<string>("STATEMENT_ID") { Description = "The statement." };
        var command = new Command("statement", "Shows one statement with its totals, payments and content hash.") { statementId };
        runner.Reads(command, async (context, cancellationToken) =>
        {
            var response = await context.Exchange.Settlement.GetStatementAsync(
                new GetStatementRequest { StatementId = context.Required(statementId) }, context.Exchange.Call(cancellationToken));
            if (context.Output.IsJson)
            {
                context.Output.WriteJson(response);
                return Cli.ExitOk;
            }
            WriteStatement(context.Output, response.Statement);
            if (response.Payments.Count > 0)
            {
                context.Output.Line();
                var table = Terminal.NewTable("PAYMENT", "AMOUNT", "REFERENCE", "RECORDED");
                foreach (var payment in response.Payments)
                {
                    Terminal.AddRow(
                        table,
                        payment.PaymentId,
                        Display.Minor(payment.AmountMinor, response.Statement.CurrencyCode),
                        payment.Reference,
                        Display.Time(payment.CreateTime));
                }
                context.Output.Write(table);
            }
            return Cli.ExitOk;
        });
        return command;
    }

    private static Command Pay(CommandRunner runner)
    {
        var statementId = new Argument<string>("STATEMENT_ID") { Description = "The statement paid." };
        var amount = new Option<string>("--amount")
        {
            Description = "The amount paid in the currency's major unit, exact, e.g. 123.45 (no more decimals than the currency has).",
            Required = true,
        };
        var currency = new Option<string>("--currency") { Description = "ISO 4217 currency of the payment, e.g. USD.", Required = true };
        var reference = new Option<string?>("--reference") { Description = "The payer's reference, e.g. a bank transfer id." };
        var command = new Command("pay", "Records the payer's payment against a statement. Overpayment is refused.")
        {
            statementId, amount, currency, reference,
        };
        runner.Mutates(command, async (context, cancellationToken) =>
        {
            var money = ToMoney(context.Required(amount), context.Required(currency));
            // OVERPAYMENT comes only for a payment in the statement's currency: its outstanding amount is in it.
            context.CurrencyCode = money.CurrencyCode;
            var request = new RecordPaymentRequest
            {
                IdempotencyKey = context.IdempotencyKey,
                StatementId = context.Required(statementId),
                Amount = money,
                Reference = context.Value(reference) ?? "",
            };
            var response = await context.Exchange.Settlement.RecordPaymentAsync(request, context.Exchange.Call(cancellationToken));
            if (context.Output.IsJson)
            {
                context.Output.WriteJson(response);
                return Cli.ExitOk;
            }
            var statement = response.Statement;
            context.Output.Line(
                $"Recorded payment {response.Payment.PaymentId} of {Display.Minor(response.Payment.AmountMinor, statement.CurrencyCode)} "
                + $"against statement {statement.StatementId}.");
            context.Output.Line();
            WriteStatement(context.Output, statement);
            return Cli.ExitOk;
        });
        return command;
    }

    /// <summary>Converts a typed amount to minor units exactly, refusing more decimals than the currency has.</summary>
    public static Money ToMoney(string amount, string currency)
    {
        var code = currency.Trim().ToUpperInvariant();
        if (!Currencies.TryGetMinorUnitExponent(code, out var exponent))
        {
            throw new UsageException($"--currency '{currency}' is not a supported ISO 4217 currency.");
        }
        long minor;
        try
        {
            minor = ValueParsers.ToScaledInteger(amount, exponent, $"--amount for {code}");
        }
        catch (FormatException ex)
        {
            throw new UsageException(ex.Message, ex);
        }
        if (minor <= 0)
        {
            throw new UsageException($"--amount must be more than zero; got '{amount}'.");
        }
        return new Money { CurrencyCode = code, AmountMinor = minor };
    }

    internal static void WriteStatement(Terminal output, Statement statement)
    {
        var currency = statement.CurrencyCode;
        output.Write(Terminal.NewDetails(
        [
            ("Statement", statement.StatementId),
            ("Period", statement.PeriodId),
            ("Payer → payee", $"{statement.PayerProgramCode} → {statement.PayeeProgramCode}"),
            ("Currency", currency),
            ("Lines", Display.Count(statement.LineCount)),
            ("Destination points", Display.Count(statement.DestinationPoints)),
            ("Gross", $"{Display.Minor(statement.GrossAmountMinor, currency)} (exact: {Display.Micros(statement.GrossAmountMicros)} {currency})"),
            ("Network fee", Display.Minor(statement.NetworkFeeMinor, currency)),
            ("Amount due", Display.Minor(statement.AmountDueMinor, currency)),
            ("Refund due", RefundDue(statement)),
            ("Paid", Display.Minor(statement.PaidMinor, currency)),
            // At most one of the two is non-zero: a refund statement's payee owes its payer.
            ("Outstanding", Display.Minor(Math.Max(0, statement.AmountDueMinor + statement.RefundDueMinor - statement.PaidMinor), currency)),
            ("Status", Display.Name(statement.Status)),
            ("Content hash", statement.ContentHash),
            ("Created", Display.Time(statement.CreateTime)),
        ]));
    }

    private static string RefundDue(Statement statement) =>
        statement.RefundDueMinor == 0
            ? Display.Minor(0, statement.CurrencyCode)
            : $"{Display.Minor(statement.RefundDueMinor, statement.CurrencyCode)} (the payee owes the payer: reversals outweigh conversions)";

    private static void WritePeriod(Terminal output, SettlementPeriod period)
    {
        output.Write(Terminal.NewDetails(
        [
            ("Period", period.PeriodId),
            ("From", Display.Time(period.StartTime)),
            ("To", Display.Time(period.EndTime)),
            ("Closed", Display.Time(period.CloseTime)),
            ("Statements", Display.Count(period.StatementCount)),
            ("Content hash", period.ContentHash),
        ]));
        if (period.NetPositions.Count == 0)
        {
            return;
        }
        output.Line();
        var table = Terminal.NewTable("PARTNER", "CURRENCY", "RECEIVABLE", "PAYABLE", "NET", "NETWORK FEE", "NET AFTER FEE");
        foreach (var position in period.NetPositions)
        {
            Terminal.AddRow(
                table,
                position.ProgramCode,
                position.CurrencyCode,
                Display.Minor(position.ReceivableMinor, position.CurrencyCode),
                Display.Minor(position.PayableMinor, position.CurrencyCode),
                Display.Minor(position.NetMinor, position.CurrencyCode),
                Display.Minor(position.NetworkFeeMinor, position.CurrencyCode),
                Display.Minor(position.NetAfterFeeMinor, position.CurrencyCode));
        }
        output.Write(table);
    }

    private static void WriteStatements(Terminal output, Google.Protobuf.Collections.RepeatedField<Statement> statements)
    {
        if (statements.Count == 0)
        {
            output.Line("0 statement(s)");
            return;
        }
        var table = Terminal.NewTable("STATEMENT", "PAYER", "PAYEE", "CURRENCY", "LINES", "POINTS", "GROSS", "FEE", "DUE", "PAID", "STATUS");
        foreach (var statement in statements)
        {
            var currency = statement.CurrencyCode;
            Terminal.AddRow(
                table,
                statement.StatementId,
                statement.PayerProgramCode,
                statement.PayeeProgramCode,
                currency,
                Display.Count(statement.LineCount),
                Display.Count(statement.DestinationPoints),
                Display.Minor(statement.GrossAmountMinor, currency),
                Display.Minor(statement.NetworkFeeMinor, currency),
                Display.Minor(statement.AmountDueMinor, currency),
                Display.Minor(statement.PaidMinor, currency),
                Display.Name(statement.Status));
        }
        output.Write(table);
        output.Line($"{statements.Count} statement(s)");
    }
}
