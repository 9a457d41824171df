using Grpc.Core;
using PartnerExchange.Testing;
using PartnerExchange.V1;

namespace PartnerExchange.Server.Tests.Writes;

/// <summary>
/// Many writes at once on the same balances: the single writer must serialise them so no balance is
/// overdrawn, every call gets a definite answer, and the ledger stays balanced.
/// </summary>
public sealed class ConcurrencyTests(ConcurrencyExchange fixture) : IntegrationTest(fixture.Exchange), IClassFixture<ConcurrencyExchange>
{
    private const string Ok = "OK";
    private const string InsufficientPoints = "INSUFFICIENT_POINTS";

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        LedgerInvariants.AssertHold(Exchange.DatabasePath);
    }

    [Fact]
    public async Task Convert_200RacingOnOneBalance_ExactlyWhatTheBalanceCoversSucceeds()
    {
        var (shop, air, buyer, flyer) = await SetUpAsync(startPoints: 10_000, fee: 0);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ =>
            OutcomeOf(shop.Conversions.ConvertAsync(ConversionRequests.Convert(buyer, air, flyer, 100)))));

        AssertOnlyOkOrInsufficientPoints(outcomes.Select(o => o.Outcome));
        var succeeded = outcomes.Where(o => o.Outcome == Ok).Select(o => o.Response!).ToList();
        Assert.Equal(100, succeeded.Count);
        Assert.Equal(0, await shop.BalanceAsync(buyer));
        Assert.Equal(100 * 80, await air.BalanceAsync(flyer));
        // Each success saw its own balance: 100 distinct balances from 9,900 down to 0.
        Assert.Equal(Enumerable.Range(0, 100).Select(i => i * 100L), succeeded.Select(r => r.BalancePoints).Order());
    }

    [Fact]
    public async Task Convert_200RacingWithAFee_NeverOverdrawAndChargeExactlyTheSuccesses()
    {
        const long start = 10_000;
        var (shop, air, buyer, flyer) = await SetUpAsync(startPoints: start, fee: 7);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ =>
            OutcomeOf(shop.Conversions.ConvertAsync(ConversionRequests.Convert(buyer, air, flyer, 300)))));

        AssertOnlyOkOrInsufficientPoints(outcomes.Select(o => o.Outcome));
        var succeeded = outcomes.Where(o => o.Outcome == Ok).Select(o => o.Response!).ToList();
        var debited = succeeded.Sum(r => r.SourcePoints + r.FeePoints);
        Assert.True(debited <= start, $"{succeeded.Count} conversions took {debited} points from a balance of {start}.");
        var balance = await shop.BalanceAsync(buyer);
        Assert.Equal(start - debited, balance);
        // Balances only fall here, so every refusal came when less than one debit was left: nothing was refused wrongly.
        Assert.True(balance < 307, $"{balance} points are left, enough for another conversion that was refused.");
        Assert.Equal(succeeded.Sum(r => r.DestinationPoints), await air.BalanceAsync(flyer));
    }

    [Fact]
    public async Task MixedWrites_RacingOnSeveralMembers_LeaveEveryBalanceAtItsSumOfSuccesses()
    {
        const long start = 3_000;
        var shop = await Exchange.CreatePartnerAsync();
        var air = await Exchange.CreatePartnerAsync(pointPriceMicros: 12_500);
        // 100:80 there and 100:120 back: a round trip keeps at most 96 %, which the arbitrage guard allows.
        var there = ConversionRequests.Rate(shop, air, 100, 80, fee: 3);
        there.MinSourcePoints = 100;
        await Exchange.SetExchangeRateAsync(there);
        var back = ConversionRequests.Rate(air, shop, 100, 120);
        back.MinSourcePoints = 100;
        await Exchange.SetExchangeRateAsync(back);
        var members = new Dictionary<(string Program, string Member), long>();
        var shoppers = new List<string>();
        var flyers = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            shoppers.Add(await EnrollWithAsync(shop, start, members));
            flyers.Add(await EnrollWithAsync(air, start, members));
        }

        var random = new Random(20261123);
        var operations = Enumerable.Range(0, 300).Select(_ => random.Next(6) switch
        {
            0 => Accrue(shop, Pick(random, shoppers), random.Next(1, 500)),
            1 => Accrue(air, Pick(random, flyers), random.Next(1, 500)),
            2 => Redeem(shop, Pick(random, shoppers), random.Next(1, 900)),
            3 => Redeem(air, Pick(random, flyers), random.Next(1, 900)),
            4 => Convert(shop, Pick(random, shoppers), air, Pick(random, flyers), random.Next(100, 1_200)),
            _ => Convert(air, Pick(random, flyers), shop, Pick(random, shoppers), random.Next(100, 1_200)),
        }).ToList();
        var outcomes = await Task.WhenAll(operations);

        AssertOnlyOkOrInsufficientPoints(outcomes.Select(o => o.Outcome));
        Assert.Contains(outcomes, o => o.Outcome == Ok);
        foreach (var effect in outcomes.Where(o => o.Outcome == Ok).SelectMany(o => o.Effects))
        {
            members[effect.Key] += effect.Points;
        }
        foreach (var ((program, member), expected) in members)
        {
            var partner = program == shop.ProgramCode ? shop : air;
            Assert.Equal(expected, await partner.BalanceAsync(member));
        }
    }

    private async Task<(TestPartner Shop, TestPartner Air, string Buyer, string Flyer)> SetUpAsync(long startPoints, long fee)
    {
        var shop = await Exchange.CreatePartnerAsync();
        var air = await Exchange.CreatePartnerAsync(pointPriceMicros: 12_500);
        var rate = ConversionRequests.Rate(shop, air, 100, 80, fee);
        rate.MinSourcePoints = 100;
        await Exchange.SetExchangeRateAsync(rate);
        var buyer = await shop.EnrollAsync();
        await shop.AccrueAsync(buyer, startPoints);
        return (shop, air, buyer, await air.EnrollAsync());
    }

    private static async Task<string> EnrollWithAsync(TestPartner partner, long points, Dictionary<(string, string), long> members)
    {
        var member = await partner.EnrollAsync();
        await partner.AccrueAsync(member, points);
        members[(partner.ProgramCode, member)] = points;
        return member;
    }

    private static string Pick(Random random, List<string> members) => members[random.Next(members.Count)];

    private static async Task<MixedOutcome> Accrue(TestPartner partner, string member, long points)
    {
        var (outcome, _) = await OutcomeOf(partner.Points.AccrueAsync(new AccrueRequest
        {
            IdempotencyKey = Guid.NewGuid().ToString("N"),
            MemberNumber = member,
            Points = points,
            Reason = AccrualReason.Promotion,
        }));
        return new MixedOutcome(outcome, [new Effect((partner.ProgramCode, member), points)]);
    }

    private static async Task<MixedOutcome> Redeem(TestPartner partner, string member, long points)
    {
        var (outcome, _) = await OutcomeOf(partner.Points.RedeemAsync(new RedeemRequest
        {
            IdempotencyKey = Guid.NewGuid().ToString("N"),
            MemberNumber = member,
            Points = points,
        }));
        return new MixedOutcome(outcome, [new Effect((partner.ProgramCode, member), -points)]);
    }

    private static async Task<MixedOutcome> Convert(TestPartner source, string member, TestPartner destination, string receiver, long points)
    {
        var (outcome, response) = await OutcomeOf(source.Conversions.ConvertAsync(ConversionRequests.Convert(member, destination, receiver, points)));
        return response is null
            ? new MixedOutcome(outcome, [])
            : new MixedOutcome(outcome,
            [
                new Effect((source.ProgramCode, member), -(response.SourcePoints + response.FeePoints)),
                new Effect((destination.ProgramCode, receiver), response.DestinationPoints),
            ]);
    }

    /// <summary>"OK" and the response, or the error's code and reason (anything else fails the test later, with all outcomes listed).</summary>
    private static async Task<(string Outcome, T? Response)> OutcomeOf<T>(AsyncUnaryCall<T> call) where T : class
    {
        try
        {
            return (Ok, await call);
        }
        catch (RpcException error)
        {
            var reason = RpcAssert.ReasonOf(error);
            return (error.StatusCode == StatusCode.FailedPrecondition && reason == InsufficientPoints
                ? InsufficientPoints
                : $"{error.StatusCode} {reason} {error.Status.Detail}", null);
        }
    }

    private static void AssertOnlyOkOrInsufficientPoints(IEnumerable<string> outcomes)
    {
        var unexpected = outcomes.Where(o => o is not Ok and not InsufficientPoints).ToList();
        Assert.True(unexpected.Count == 0, $"{unexpected.Count} calls ended otherwise:\n" + string.Join('\n', unexpected.Distinct()));
    }

    private sealed record Effect((string Program, string Member) Key, long Points);

    private sealed record MixedOutcome(string Outcome, IReadOnlyList<Effect> Effects);
}

/// <summary>
/// A running exchange whose request limits are far above what these tests send: they race writes on
/// purpose, and a RATE_LIMITED answer would hide what the ledger does under contention.
/// </summary>
public sealed class ConcurrencyExchange : IAsyncLifetime
{
    public ConcurrencyExchange()
    {
        foreach (var limit in new[] { "Writes", "Reads", "Quotes", "MemberVelocity" })
        {
            Exchange.Settings[$"RateLimits:{limit}:RequestsPerSecond"] = "1000000";
            Exchange.Settings[$"RateLimits:{limit}:Burst"] = "1000000";
        }
    }

    public RunningExchange Exchange { get; } = new();

    public Task InitializeAsync() => Exchange.InitializeAsync();

    public Task DisposeAsync() => Exchange.DisposeAsync();
}
