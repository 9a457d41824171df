using System.CommandLine;
using Google.Protobuf;
using PartnerExchange.Cli.Input;
using PartnerExchange.Cli.Output;
using PartnerExchange.V1;

namespace PartnerExchange.Cli.Commands;

/// <summary><c>pxctl partners list|get|create|update|suspend|resume</c>.</summary>
internal static class PartnerCommands
{
    private static readonly Dictionary<string, PartnerKind> Kinds = new(StringComparer.OrdinalIgnoreCase)
    {
        ["airline"] = PartnerKind.Airline,
        ["hotel"] = PartnerKind.Hotel,
        ["retailer"] = PartnerKind.Retailer,
        ["card-issuer"] = PartnerKind.CardIssuer,
        ["charity"] = PartnerKind.Charity,
        ["other"] = PartnerKind.Other,
    };

    public static Command Build(CommandRunner runner)
    {
        var partners = new Command("partners", "Partners and their programs.");
        partners.Subcommands.Add(List(runner));
        partners.Subcommands.Add(Get(runner));
        partners.Subcommands.Add(Create(runner));
        partners.Subcommands.Add(Update(runner));
        partners.Subcommands.Add(Suspend(runner, suspend: true));
        partners.Subcommands.Add(Suspend(runner, suspend: false));
        return partners;
    }

    private static Command List(CommandRunner runner)
    {
        var command = new Command("list", "Lists every partner by program code.");
        runner.Reads(command, async (context, cancellationToken) =>
        {
            var all = new ListPartnersResponse();
            var request = new ListPartnersRequest { PageSize = OptionFactory.PageSize };
            do
            {
                var page = await context.Exchange.Admin.ListPartnersAsync(request, context.Exchange.Call(cancellationToken));
                all.Partners.AddRange(page.Partners);
                request.PageToken = page.NextPageToken;
            }
            while (request.PageToken.Length > 0);

            if (context.Output.IsJson)
            {
                context.Output.WriteJson(all);
                return Cli.ExitOk;
            }
            var table = Terminal.NewTable("CODE", "NAME", "PROGRAM", "KIND", "STATUS", "CURRENCY", "POINT PRICE", "EARN RULE");
            foreach (var partner in all.Partners)
            {
                Terminal.AddRow(
                    table,
                    partner.ProgramCode,
                    partner.DisplayName,
                    partner.ProgramName,
                    Display.Name(partner.Kind),
                    Display.Name(partner.Status),
                    partner.SettlementCurrencyCode,
                    Display.Micros(partner.PointPriceMicros),
                    EarnRuleText(partner.EarnRule));
            }
            context.Output.Write(table);
            context.Output.Line($"{all.Partners.Count} partner(s)");
            return Cli.ExitOk;
        });
        return command;
    }

    private static Command Get(CommandRunner runner)
    {
        var code = OptionFactory.ProgramCode();
        var command = new Command("get", "Shows one partner.") { code };
        runner.Reads(command, async (context, cancellationToken) =>
        {
            var response = await context.Exchange.Admin.GetPartnerAsync(
                new GetPartnerRequest { ProgramCode = context.Required(code) }, context.Exchange.Call(cancellationToken));
            return Show(context, response, response.Partner);
        });
        return command;
    }

    private static Command Create(CommandRunner runner)
    {
        var code = OptionFactory.ProgramCode("The new program code: 2–16 of A–Z and 0–9, starting with a letter.");
        var name = new Option<string>("--name") { Description = "The partner's name.", Required = true };
        var programName = new Option<string>("--program-name") { Description = "The program's name, e.g. SkyMiles.", Required = true };
        var kind = KindOption(required: true);
        var currency = new Option<string>("--currency") { Description = "ISO 4217 settlement currency, e.g. USD.", Required = true };
        var price = PointPriceOption(required: true);
        var earn = EarnOption();
        var earnCurrency = new Option<string?>("--earn-currency") { Description = "Currency of purchases for --earn (default: --currency)." };
        var limits = LimitOptions();
        var expiry = ExpiryOption();
        var command = new Command("create", "Registers a partner and its program, active.")
        {
            code, name, programName, kind, currency, price, earn, earnCurrency, limits.Writes, limits.Reads, limits.Quotes, expiry,
        };
        runner.Mutates(command, async (context, cancellationToken) =>
        {
            var settlementCurrency = context.Required(currency).ToUpperInvariant();
            var request = new CreatePartnerRequest
            {
                IdempotencyKey = context.IdempotencyKey,
                ProgramCode = context.Required(code),
                DisplayName = context.Required(name),
                ProgramName = context.Required(programName),
                Kind = Kinds[context.Required(kind)],
                SettlementCurrencyCode = settlementCurrency,
                PointPriceMicros = context.Value(price) ?? 0,
                EarnRule = EarnRule(context.Value(earn), context.Value(earnCurrency) ?? settlementCurrency),
                RateLimits = limits.Read(context),
                ExpiryPolicy = context.Value(expiry),
            };
            var response = await context.Exchange.Admin.CreatePartnerAsync(request, context.Exchange.Call(cancellationToken));
            return Show(context, response, response.Partner);
        });
        return command;
    }

    private static Command Update(CommandRunner runner)
    {
        var code = OptionFactory.ProgramCode();
        var name = new Option<string?>("--name") { Description = "New partner name." };
        var programName = new Option<string?>("--program-name") { Description = "New program name." };
        var kind = KindOption(required: false);
        var price = PointPriceOption(required: false);
        var earn = EarnOption();
        var earnCurrency = new Option<string?>("--earn-currency") { Description = "Currency of purchases for --earn (required with --earn)." };
        var limits = LimitOptions();
        var expiry = ExpiryOption();
        var command = new Command(
            "update",
            "Changes a partner; options left out stay as they are. Any of --writes/--reads/--quotes replaces the limits as a whole.")
        {
            code, name, programName, kind, price, earn, earnCurrency, limits.Writes, limits.Reads, limits.Quotes, expiry,
        };
        runner.Mutates(command, async (context, cancellationToken) =>
        {
            var request = new UpdatePartnerRequest
            {
                IdempotencyKey = context.IdempotencyKey, ProgramCode = context.Required(code), ExpiryPolicy = context.Value(expiry),
            };
            if (context.Value(name) is { } newName)
            {
                request.DisplayName = newName;
            }
            if (context.Value(programName) is { } newProgramName)
            {
                request.ProgramName = newProgramName;
            }
            if (context.Value(kind) is { } newKind)
            {
                request.Kind = Kinds[newKind];
            }
            if (context.Value(price) is { } newPrice)
            {
                request.PointPriceMicros = newPrice;
            }
            if (context.Value(earn) is { } newEarn)
            {
                var currency = context.Value(earnCurrency) ?? throw new UsageException("--earn needs --earn-currency on update.");
                request.EarnRule = EarnRule(newEarn, currency);
            }
            request.RateLimits = limits.Read(context);
            var response = await context.Exchange.Admin.UpdatePartnerAsync(request, context.Exchange.Call(cancellationToken));
            return Show(context, response, response.Partner);
        });
        return command;
    }

    private static Command Suspend(CommandRunner runner, bool suspend)
    {
        var code = OptionFactory.ProgramCode();
        var command = suspend
            ? new Command("suspend", "Suspends a partner: its members' points cannot move and no conversion lands in it.") { code }
            : new Command("resume", "Lifts a partner's suspension.") { code };
        runner.Mutates(command, async (context, cancellationToken) =>
        {
            var options = context.Exchange.Call(cancellationToken);
            if (suspend)
            {
                var suspended = await context.Exchange.Admin.SuspendPartnerAsync(
                    new SuspendPartnerRequest { IdempotencyKey = context.IdempotencyKey, ProgramCode = context.Required(code) }, options);
                return Show(context, suspended, suspended.Partner);
            }
            var resumed = await context.Exchange.Admin.ResumePartnerAsync(
                new ResumePartnerRequest { IdempotencyKey = context.IdempotencyKey, ProgramCode = context.Required(code) }, options);
            return Show(context, resumed, resumed.Partner);
        });
        return command;
    }

    private static int Show(CommandContext context, IMessage response, Partner partner)
    {
        if (context.Output.IsJson)
        {
            context.Output.WriteJson(response);
            return Cli.ExitOk;
        }
        var limits = partner.RateLimits;
        context.Output.Write(Terminal.NewDetails(
        [
            ("Program code", partner.ProgramCode),
            ("Name", partner.DisplayName),
            ("Program", partner.ProgramName),
            ("Kind", Display.Name(partner.Kind)),
            ("Status", Display.Name(partner.Status)),
            ("Settlement currency", partner.SettlementCurrencyCode),
            ("Point price", $"{Display.Micros(partner.PointPriceMicros)} {partner.SettlementCurrencyCode} ({Display.Count(partner.PointPriceMicros)} micros)"),
            ("Earn rule", EarnRuleText(partner.EarnRule)),
            ("Write limit", LimitText(limits?.Writes)),
            ("Read limit", LimitText(limits?.Reads)),
            ("Quote limit", LimitText(limits?.Quotes)),
            ("Expiry", ExpiryText(partner.ExpiryPolicy)),
            ("Created", Display.Time(partner.CreateTime)),
            ("Updated", Display.Time(partner.UpdateTime)),
        ]));
        return Cli.ExitOk;
    }

    private static string EarnRuleText(EarnRule? rule) =>
        rule is null ? "-" : $"{Display.Count(rule.Points)} pt per {Display.Minor(rule.PerAmountMinor, rule.CurrencyCode)}";

    private static string ExpiryText(ExpiryPolicy? policy) => policy?.Kind switch
    {
        ExpiryPolicyKind.LotLifetime => $"each lot after {policy.Months} month(s)",
        ExpiryPolicyKind.Inactivity => $"whole balance after {policy.Months} month(s) without activity",
        _ => "never",
    };

    private static string LimitText(RateLimit? limit) =>
        limit is null ? "default" : $"{limit.RequestsPerSecond}/s, burst {limit.Burst}";

    private static EarnRule? EarnRule((long Points, long PerAmountMinor)? earn, string currency) =>
        earn is { } rule
            ? new EarnRule { CurrencyCode = currency.ToUpperInvariant(), Points = rule.Points, PerAmountMinor = rule.PerAmountMinor }
            : null;

    private static Option<string> KindOption(bool required)
    {
        var option = new Option<string>("--kind") { Description = "What kind of business the partner is.", Required = required };
        option.AcceptOnlyFromAmong([.. Kinds.Keys]);
        return option;
    }

    private static Option<long?> PointPriceOption(bool required) =>
        new("--point-price")
        {
            Description = "Price of one point in the settlement currency, exact to 6 decimals, e.g. 0.0125.",
            Required = required,
            CustomParser = result => ValueParsers.ParseWith(result, text => ValueParsers.ToScaledInteger(text, 6, "--point-price")),
        };

    private static Option<(long Points, long PerAmountMinor)?> EarnOption() =>
        new("--earn")
        {
            Description = "Earn rule as POINTS:PER_AMOUNT_MINOR, e.g. 2:100 for 2 points per 1.00 of spend.",
            CustomParser = result => ValueParsers.ParseWith<(long, long)?>(result, text => ValueParsers.ParsePair(text)),
        };

    private static Option<ExpiryPolicy?> ExpiryOption() =>
        new("--expiry")
        {
            Description = "Expiry policy: never, lifetime:MONTHS (each accrual lot expires after MONTHS) or inactivity:MONTHS "
                + "(the whole balance expires after MONTHS without activity). Applies to points credited from then on.",
            CustomParser = result => ValueParsers.ParseWith(result, ParseExpiry),
        };

    private static ExpiryPolicy? ParseExpiry(string text)
    {
        if (text.Equals("never", StringComparison.OrdinalIgnoreCase))
        {
            return new ExpiryPolicy { Kind = ExpiryPolicyKind.None };
        }
        var parts = text.Split(':');
        var kind = parts[0].ToLowerInvariant() switch
        {
            "lifetime" => ExpiryPolicyKind.LotLifetime,
            "inactivity" => ExpiryPolicyKind.Inactivity,
            _ => throw new FormatException($"'{text}' is not never, lifetime:MONTHS or inactivity:MONTHS."),
        };
        if (parts.Length != 2 || !int.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var months))
        {
            throw new FormatException($"'{text}' needs a whole number of months, e.g. {parts[0]}:12.");
        }
        return new ExpiryPolicy { Kind = kind, Months = months };
    }

    private static LimitOptionSet LimitOptions() =>
        new(
            OptionFactory.RateLimitOption("--writes", "write"),
            OptionFactory.RateLimitOption("--reads", "read"),
            OptionFactory.RateLimitOption("--quotes", "quote"));

    private sealed record LimitOptionSet(Option<RateLimit?> Writes, Option<RateLimit?> Reads, Option<RateLimit?> Quotes)
    {
        /// <summary>The limits given, or <see langword="null"/> when none was (so nothing is sent).</summary>
        public PartnerRateLimits? Read(CommandContext context)
        {
            var (writes, reads, quotes) = (context.Value(Writes), context.Value(Reads), context.Value(Quotes));
            return writes is null && reads is null && quotes is null
                ? null
                : new PartnerRateLimits { Writes = writes, Reads = reads, Quotes = quotes };
        }
    }
}
