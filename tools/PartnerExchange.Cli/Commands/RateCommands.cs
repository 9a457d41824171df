using System.CommandLine;
using PartnerExchange.Cli.Output;
using PartnerExchange.V1;

namespace PartnerExchange.Cli.Commands;

/// <summary><c>pxctl rates list|set</c>.</summary>
internal static class RateCommands
{
    public static Command Build(CommandRunner runner)
    {
        var rates = new Command("rates", "Directed exchange rates between programs, versioned.");
        rates.Subcommands.Add(List(runner));
        rates.Subcommands.Add(Set(runner));
        return rates;
    }

    private static Command List(CommandRunner runner)
    {
        var from = new Option<string?>("--from") { Description = "Only rates out of this program." };
        var to = new Option<string?>("--to") { Description = "Only rates into this program." };
        var history = new Option<bool>("--history") { Description = "Every version, newest first within a direction." };
        var command = new Command("list", "Lists exchange rates: the current versions, or all with --history.") { from, to, history };
        runner.Reads(command, async (context, cancellationToken) =>
        {
            var all = new ListExchangeRatesResponse();
            var request = new ListExchangeRatesRequest
            {
                FromProgramCode = context.Value(from) ?? "",
                ToProgramCode = context.Value(to) ?? "",
                IncludeHistory = context.Value(history),
                PageSize = OptionFactory.PageSize,
            };
            do
            {
                var page = await context.Exchange.Admin.ListExchangeRatesAsync(request, context.Exchange.Call(cancellationToken));
                all.Rates.AddRange(page.Rates);
                request.PageToken = page.NextPageToken;
            }
            while (request.PageToken.Length > 0);

            if (context.Output.IsJson)
            {
                context.Output.WriteJson(all);
                return Cli.ExitOk;
            }
            var table = Terminal.NewTable("FROM", "TO", "VERSION", "RATIO", "MIN", "MAX", "INCREMENT", "FEE", "BONUS", "EFFECTIVE", "ENABLED");
            foreach (var rate in all.Rates)
            {
                Terminal.AddRow(
                    table,
                    rate.FromProgramCode,
                    rate.ToProgramCode,
                    Display.Count(rate.Version),
                    $"{rate.FromPoints}:{rate.ToPoints}",
                    Display.Count(rate.MinSourcePoints),
                    Display.Count(rate.MaxSourcePoints),
                    Display.Count(rate.IncrementPoints),
                    Display.Count(rate.MemberFeePoints),
                    BonusText(rate),
                    Display.Time(rate.EffectiveTime),
                    rate.Enabled ? "yes" : "no");
            }
            context.Output.Write(table);
            context.Output.Line($"{all.Rates.Count} rate(s)");
            return Cli.ExitOk;
        });
        return command;
    }

    private static Command Set(CommandRunner runner)
    {
        var from = new Argument<string>("FROM") { Description = "The program points are converted out of." };
        var to = new Argument<string>("TO") { Description = "The program points are converted into." };
        var ratio = new Option<(long From, long To)>("--ratio")
        {
            Description = "Source:destination points, e.g. 1000:800.",
            Required = true,
            CustomParser = result => ValueParsers.ParseWith(result, ValueParsers.ParsePair),
        };
        var min = OptionFactory.Long("--min", "Smallest source amount (a multiple of --increment).", required: true);
        var max = OptionFactory.Long("--max", "Largest source amount (a multiple of --increment).", required: true);
        var increment = OptionFactory.Long("--increment", "Source amounts must be a multiple of this.", required: true);
        var fee = OptionFactory.Long("--fee", "Member fee in source points (default 0).");
        var bonus = new Option<int>("--bonus-bps") { Description = "Bonus in basis points of the destination points (default 0)." };
        var bonusStart = OptionFactory.Time("--bonus-start", "Start of the bonus window (inclusive), UTC.");
        var bonusEnd = OptionFactory.Time("--bonus-end", "End of the bonus window (exclusive), UTC.");
        var effective = OptionFactory.Time("--effective", "When this version takes effect (default: now), UTC.");
        var disabled = new Option<bool>("--disabled") { Description = "Switch the direction off from --effective on." };
        var command = new Command("set", "Sets a new version of the rate FROM → TO.")
        {
            from, to, ratio, min, max, increment, fee, bonus, bonusStart, bonusEnd, effective, disabled,
        };
        runner.Mutates(command, async (context, cancellationToken) =>
        {
            var (fromPoints, toPoints) = context.Value(ratio);
            var request = new SetExchangeRateRequest
            {
                IdempotencyKey = context.IdempotencyKey,
                FromProgramCode = context.Required(from),
                ToProgramCode = context.Required(to),
                FromPoints = fromPoints,
                ToPoints = toPoints,
                MinSourcePoints = context.Value(min),
                MaxSourcePoints = context.Value(max),
                IncrementPoints = context.Value(increment),
                MemberFeePoints = context.Value(fee),
                BonusBasisPoints = context.Value(bonus),
                BonusStartTime = context.Value(bonusStart),
                BonusEndTime = context.Value(bonusEnd),
                EffectiveTime = context.Value(effective),
                Enabled = !context.Value(disabled),
            };
            var response = await context.Exchange.Admin.SetExchangeRateAsync(request, context.Exchange.Call(cancellationToken));
            if (context.Output.IsJson)
            {
                context.Output.WriteJson(response);
                return Cli.ExitOk;
            }
            var rate = response.Rate;
            context.Output.Write(Terminal.NewDetails(
            [
                ("Direction", $"{rate.FromProgramCode} → {rate.ToProgramCode}"),
                ("Version", Display.Count(rate.Version)),
                ("Ratio", $"{rate.FromPoints}:{rate.ToPoints}"),
                ("Source points", $"{Display.Count(rate.MinSourcePoints)}–{Display.Count(rate.MaxSourcePoints)} in steps of {Display.Count(rate.IncrementPoints)}"),
                ("Member fee", $"{Display.Count(rate.MemberFeePoints)} points"),
                ("Bonus", BonusText(rate)),
                ("Effective", Display.Time(rate.EffectiveTime)),
                ("Enabled", rate.Enabled ? "yes" : "no"),
                ("Created", Display.Time(rate.CreateTime)),
            ]));
            return Cli.ExitOk;
        });
        return command;
    }

    private static string BonusText(ExchangeRate rate)
    {
        if (rate.BonusBasisPoints == 0)
        {
            return "-";
        }
        var window = rate.BonusStartTime is null ? "always" : $"{Display.Time(rate.BonusStartTime)}–{Display.Time(rate.BonusEndTime)}";
        return $"{rate.BonusBasisPoints} bps ({window})";
    }
}
