using PartnerExchange.V1;

namespace PartnerExchange.Cli.Tests.Infrastructure;

/// <summary>
/// A small network with three conversions from SRC to DST, ready to settle: SRC pays DST 0.012 USD per point, and
/// the conversions move 4,000, 2,000 and 1,000 DST points (48.00, 24.00 and 12.00 USD, 84.00 in all). The period
/// is closed through pxctl once, on first use, so a failure shows in each test that needs it.
/// </summary>
public sealed class SettlementNetwork : IAsyncLifetime
{
    private readonly Lazy<Task<CliRun>> _close;

    public SettlementNetwork() => _close = new Lazy<Task<CliRun>>(CloseOnceAsync);

    public CliExchange Exchange { get; } = new();

    public string Source { get; private set; } = "";

    public string Destination { get; private set; } = "";

    public string SourceMember { get; } = "S300";

    public string DestinationMember { get; } = "A100";

    /// <summary>The conversions' transaction ids, in ledger order.</summary>
    public List<string> ConversionIds { get; } = [];

    /// <summary>The network fee: 2.5% of the 84.00 USD statement is 2.10 USD, owed by SRC.</summary>
    public const int FeeBasisPoints = 250;

    public async Task InitializeAsync()
    {
        Exchange.Server.Settings["Settlement:NetworkFeeBasisPoints"] = FeeBasisPoints.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await Exchange.InitializeAsync();
        var (source, sourceKey) = await Exchange.CreatePartnerAsync(pointPriceMicros: 10_000);
        var (destination, destinationKey) = await Exchange.CreatePartnerAsync(pointPriceMicros: 12_000);
        (Source, Destination) = (source, destination);
        await Exchange.Admin().SetExchangeRateAsync(new SetExchangeRateRequest
        {
            IdempotencyKey = Guid.NewGuid().ToString("N"),
            FromProgramCode = source,
            ToProgramCode = destination,
            FromPoints = 1000,
            ToPoints = 800,
            MinSourcePoints = 1000,
            MaxSourcePoints = 1_000_000,
            IncrementPoints = 1,
            Enabled = true,
        });
        var sourcePoints = Exchange.Points(sourceKey);
        await sourcePoints.EnrollMemberAsync(new EnrollMemberRequest { IdempotencyKey = "e1", MemberNumber = SourceMember });
        await Exchange.Points(destinationKey).EnrollMemberAsync(new EnrollMemberRequest { IdempotencyKey = "e1", MemberNumber = DestinationMember });
        await sourcePoints.AccrueAsync(new AccrueRequest
        {
            IdempotencyKey = "a1", MemberNumber = SourceMember, Points = 100_000, Reason = AccrualReason.Promotion,
        });
        var conversions = Exchange.Conversions(sourceKey);
        foreach (var points in new[] { 5000L, 2500L, 1250L })
        {
            var converted = await conversions.ConvertAsync(new ConvertRequest
            {
                IdempotencyKey = $"c{points}",
                SourceMemberNumber = SourceMember,
                DestinationProgramCode = destination,
                DestinationMemberNumber = DestinationMember,
                SourcePoints = points,
            });
            ConversionIds.Add(converted.Transaction.TransactionId);
        }
    }

    public Task DisposeAsync() => Exchange.DisposeAsync();

    /// <summary>Closes [2020-01-01, now) through pxctl with --output json, once; later calls return the same run.</summary>
    public Task<CliRun> CloseAsync() => _close.Value;

    private Task<CliRun> CloseOnceAsync() =>
        Exchange.PxctlAsync(
            "settlement", "close", "--from", "2020-01-01T00:00:00Z",
            "--to", DateTime.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture), "-o", "json");

    /// <summary>The period's id and its one statement's id, from the close.</summary>
    public async Task<(string PeriodId, string StatementId)> ClosedAsync()
    {
        var close = await CloseAsync();
        Assert.True(close.ExitCode == 0, close.ToString());
        var json = close.Json();
        var statement = Assert.Single(json.GetProperty("statements").EnumerateArray());
        return (json.GetProperty("period").GetProperty("periodId").GetString()!, statement.GetProperty("statementId").GetString()!);
    }
}
