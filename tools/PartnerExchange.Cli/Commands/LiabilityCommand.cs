using System.CommandLine;
using PartnerExchange.Cli.Output;
using PartnerExchange.V1;

namespace PartnerExchange.Cli.Commands;

/// <summary><c>pxctl liability CODE [--as-of TIME]</c>: a program's outstanding points and breakage, valued.</summary>
internal static class LiabilityCommand
{
    public static Command Build(CommandRunner runner)
    {
        var code = OptionFactory.ProgramCode();
        var asOf = OptionFactory.Time("--as-of", "The moment to value, UTC (default: now).");
        var command = new Command(
            "liability", "A program's liability: the points its members hold valued at its point price, and the points that expired.")
        {
            code, asOf,
        };
        runner.Reads(command, async (context, cancellationToken) =>
        {
            var response = await context.Exchange.Settlement.GetLiabilityAsync(
                new GetLiabilityRequest { ProgramCode = context.Required(code), AsOfTime = context.Value(asOf) },
                context.Exchange.Call(cancellationToken));
            if (context.Output.IsJson)
            {
                context.Output.WriteJson(response);
                return Cli.ExitOk;
            }
            var currency = response.CurrencyCode;
            context.Output.Write(Terminal.NewDetails(
            [
                ("Program", response.ProgramCode),
                ("As of", Display.Time(response.AsOfTime)),
                ("Outstanding points", Display.Count(response.OutstandingPoints)),
                ("Point price", $"{Display.Micros(response.PointPriceMicros)} {currency}"),
                ("Outstanding value", $"{Display.Minor(response.OutstandingValueMinor, currency)} (exact: {Display.Micros(response.OutstandingValueMicros)} {currency})"),
                ("Expired points", Display.Count(response.ExpiredPoints)),
                ("Expired value", Display.Minor(response.ExpiredValueMinor, currency)),
            ]));
            return Cli.ExitOk;
        });
        return command;
    }
}
