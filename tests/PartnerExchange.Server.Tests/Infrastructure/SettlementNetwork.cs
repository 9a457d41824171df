using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Core.Interceptors;
using PartnerExchange.Testing;
using PartnerExchange.V1;

namespace PartnerExchange.Server.Tests.Infrastructure;

/// <summary>
/// A generated network, settled once for all tests of the class: five partners in USD, EUR and JPY,
/// 2,000 conversions closed into period 1, then 200 of them reversed and 200 more conversions closed
/// into period 2, so the reversals fall into period 2 as negative lines.
/// </summary>
public sealed class SettlementNetwork : IAsyncLifetime
{
    public const int FeeBasisPoints = 25;
    private const int FirstConversions = 2_000;
    private const int Reversals = 200;
    private const int SecondConversions = 200;
    private const int MembersPerPartner = 6;
    private const int Parallelism = 100;

    private static readonly (string Currency, long PriceMicros)[] PartnerTerms =
        [("USD", 12_500), ("EUR", 8_333), ("JPY", 1_234_567), ("USD", 10_001), ("EUR", 7_777)];

    public SettlementNetwork()
    {
        foreach (var limit in new[] { "Writes", "Reads", "Quotes" })
        {
            Exchange.Settings[$"RateLimits:{limit}:RequestsPerSecond"] = "1000000";
            Exchange.Settings[$"RateLimits:{limit}:Burst"] = "1000000";
        }
        Exchange.Settings["Settlement:NetworkFeeBasisPoints"] = FeeBasisPoints.ToString(CultureInfo.InvariantCulture);
        // Small export batches, so every statement streams in several messages.
        Exchange.Settings["Settlement:ExportBatchSize"] = "7";
    }

    public RunningExchange Exchange { get; } = new();

    public List<TestPartner> Partners { get; } = [];

    /// <summary>Every conversion by transaction id, with its members.</summary>
    public Dictionary<string, Conversion> Conversions { get; } = new(StringComparer.Ordinal);

    /// <summary>Reversals by the id of the conversion they undo.</summary>
    public Dictionary<string, Transaction> ReversalsOf { get; } = new(StringComparer.Ordinal);

    public ClosePeriodResponse First { get; private set; } = null!;

    public ClosePeriodResponse Second { get; private set; } = null!;

    public ClosePeriodRequest FirstRequest { get; private set; } = null!;

    public sealed record Conversion(TestPartner Source, string SourceMember, TestPartner Destination, string DestinationMember, ConvertResponse Response);

    public async Task InitializeAsync()
    {
        await Exchange.InitializeAsync();
        var random = new Random(20261123);
        var members = new Dictionary<string, List<string>>();
        foreach (var (currency, price) in PartnerTerms)
        {
            var partner = await Exchange.CreatePartnerAsync(pointPriceMicros: price, currency: currency);
            Partners.Add(partner);
            members[partner.ProgramCode] = [];
            for (var i = 0; i < MembersPerPartner; i++)
            {
                var member = await partner.EnrollAsync();
                await partner.AccrueAsync(member, 100_000_000);
                members[partner.ProgramCode].Add(member);
            }
        }
        foreach (var from in Partners)
        {
            foreach (var to in Partners.Where(p => p != from))
            {
                await Exchange.SetExchangeRateAsync(ConversionRequests.Rate(from, to, 1000, random.Next(500, 1001)));
            }
        }

        var first = await ConvertAsync(random, members, FirstConversions);
        FirstRequest = CloseRequest(first.Min(c => c.Response.Transaction.CreateTime)!, AfterLast(first.Select(c => c.Response.Transaction.CreateTime)));
        First = await Settlement().ClosePeriodAsync(FirstRequest);

        var reversed = first.OrderBy(_ => random.Next()).Take(Reversals).ToList();
        var reversals = await InParallel(reversed, async c => (c, (await c.Source.Points.ReverseAsync(new ReverseRequest
        {
            IdempotencyKey = Guid.NewGuid().ToString("N"),
            TransactionId = c.Response.Transaction.TransactionId,
            Reference = "settlement test",
        })).Transaction));
        foreach (var (conversion, reversal) in reversals)
        {
            ReversalsOf[conversion.Response.Transaction.TransactionId] = reversal;
        }
        var second = await ConvertAsync(random, members, SecondConversions);
        var secondEnd = AfterLast(second.Select(c => c.Response.Transaction.CreateTime).Concat(reversals.Select(r => r.Item2.CreateTime)));
        Second = await Settlement().ClosePeriodAsync(CloseRequest(FirstRequest.EndTime, secondEnd));
    }

    public Task DisposeAsync() => Exchange.DisposeAsync();

    public SettlementService.SettlementServiceClient Settlement() => SettlementClients.Operator(Exchange);

    private async Task<List<Conversion>> ConvertAsync(Random random, Dictionary<string, List<string>> members, int count)
    {
        var planned = Enumerable.Range(0, count).Select(_ =>
        {
            var source = Partners[random.Next(Partners.Count)];
            var others = Partners.Where(p => p != source).ToList();
            var destination = others[random.Next(others.Count)];
            var sourceMember = members[source.ProgramCode][random.Next(MembersPerPartner)];
            var destinationMember = members[destination.ProgramCode][random.Next(MembersPerPartner)];
            return (source, sourceMember, destination, destinationMember, points: (long)random.Next(10, 5_000));
        }).ToList();
        var done = await InParallel(planned, async p => new Conversion(p.source, p.sourceMember, p.destination, p.destinationMember,
            await p.source.Conversions.ConvertAsync(ConversionRequests.Convert(p.sourceMember, p.destination, p.destinationMember, p.points))));
        foreach (var conversion in done)
        {
            Conversions[conversion.Response.Transaction.TransactionId] = conversion;
        }
        return done;
    }

    private static async Task<List<TResult>> InParallel<T, TResult>(IReadOnlyList<T> items, Func<T, Task<TResult>> work)
    {
        var results = new List<TResult>(items.Count);
        foreach (var chunk in items.Chunk(Parallelism))
        {
            results.AddRange(await Task.WhenAll(chunk.Select(work)));
        }
        return results;
    }

    private static Timestamp AfterLast(IEnumerable<Timestamp> times) => SettlementClients.PlusMicros(times.Max()!, 1);

    private static ClosePeriodRequest CloseRequest(Timestamp start, Timestamp end) =>
        new() { IdempotencyKey = Guid.NewGuid().ToString("N"), StartTime = start, EndTime = end };
}

/// <summary>Settlement clients, times and the documented statement hash, written out independently of the server.</summary>
internal static class SettlementClients
{
    public static SettlementService.SettlementServiceClient Operator(RunningExchange exchange) =>
        new(exchange.Channel.Intercept(m =>
        {
            m.Add("authorization", $"Bearer {exchange.OperatorKey}");
            return m;
        }));

    public static SettlementService.SettlementServiceClient WithKey(RunningExchange exchange, string key) =>
        new(exchange.Channel.Intercept(m =>
        {
            m.Add("authorization", $"Bearer {key}");
            return m;
        }));

    public static Timestamp PlusMicros(Timestamp time, long micros) => Timestamp.FromDateTimeOffset(time.ToDateTimeOffset().AddTicks(micros * 10));

    public static long Micros(Timestamp time) => (time.Seconds * 1_000_000) + (time.Nanos / 1_000);

    public static async Task<List<StatementLine>> ExportAsync(SettlementService.SettlementServiceClient client, string statementId)
    {
        var lines = new List<StatementLine>();
        using var call = client.ExportStatementLines(new ExportStatementLinesRequest { StatementId = statementId });
        await foreach (var message in call.ResponseStream.ReadAllAsync())
        {
            lines.AddRange(message.Lines);
        }
        return lines;
    }

    /// <summary>The statement hash exactly as the protos and ContentHashes document it, from a statement and its exported lines.</summary>
    public static string StatementHash(SettlementPeriod period, Statement statement, IEnumerable<StatementLine> lines)
    {
        var text = new StringBuilder();
        void Line(string value) => text.Append(value).Append('\n');
        Line("partnerexchange.statement.v1");
        Line(FormattableString.Invariant($"period_start_micros={Micros(period.StartTime)}"));
        Line(FormattableString.Invariant($"period_end_micros={Micros(period.EndTime)}"));
        Line($"payer={statement.PayerProgramCode}");
        Line($"payee={statement.PayeeProgramCode}");
        Line($"currency={statement.CurrencyCode}");
        Line(FormattableString.Invariant($"line_count={statement.LineCount}"));
        Line(FormattableString.Invariant($"destination_points={statement.DestinationPoints}"));
        Line(FormattableString.Invariant($"gross_amount_micros={statement.GrossAmountMicros}"));
        Line(FormattableString.Invariant($"gross_amount_minor={statement.GrossAmountMinor}"));
        Line(FormattableString.Invariant($"network_fee_minor={statement.NetworkFeeMinor}"));
        Line(FormattableString.Invariant($"amount_due_minor={statement.AmountDueMinor}"));
        foreach (var line in lines)
        {
            Line(FormattableString.Invariant($"line={line.Sequence},{line.TransactionId},{line.DestinationPoints},{line.AmountMicros}"));
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    public static string PeriodHash(IEnumerable<Statement> statements) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Concat(statements.Select(s => s.ContentHash + "\n")))));

    /// <summary>Micros to minor units of a currency with the given exponent, half away from zero (test's own copy).</summary>
    public static long ToMinor(long micros, int exponent)
    {
        var per = (long)Math.Pow(10, 6 - exponent);
        var rounded = Math.Round((decimal)micros / per, MidpointRounding.AwayFromZero);
        return (long)rounded;
    }
}
