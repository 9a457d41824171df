using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using PartnerExchange.Testing;
using PartnerExchange.V1;

namespace PartnerExchange.Server.Tests.Services;

/// <summary>Conversions through the API: the documented maths, settlement, refusals and reversals.</summary>
public sealed class ConversionTests(RunningExchange exchange) : IntegrationTest(exchange), IClassFixture<RunningExchange>
{
    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        LedgerInvariants.AssertHold(Exchange.DatabasePath);
    }

    [Theory]
    [InlineData(2, 1)]
    [InlineData(3, 2)]
    [InlineData(1001, 800)]
    [InlineData(1003, 802)]
    [InlineData(1249, 999)]
    [InlineData(1250, 1000)]
    [InlineData(2501, 2000)]
    public async Task Convert_OddAmountAt1000To800_RoundsDestinationDown(long sourcePoints, long expectedPoints)
    {
        var (shop, air) = await PartnersAsync();
        await Exchange.SetExchangeRateAsync(ConversionRequests.Rate(shop, air, 1000, 800));
        var (buyer, flyer) = await MembersAsync(shop, air, 10_000);

        var converted = await shop.Conversions.ConvertAsync(ConversionRequests.Convert(buyer, air, flyer, sourcePoints));

        Assert.Equal(sourcePoints, converted.SourcePoints);
        Assert.Equal(expectedPoints, converted.BaseDestinationPoints);
        Assert.Equal(0, converted.BonusPoints);
        Assert.Equal(expectedPoints, converted.DestinationPoints);
        Assert.Equal(10_000 - sourcePoints, converted.BalancePoints);
        Assert.Equal(10_000 - sourcePoints, await shop.BalanceAsync(buyer));
        Assert.Equal(expectedPoints, await air.BalanceAsync(flyer));
    }

    [Fact]
    public async Task Convert_WithMemberFee_DebitsFeeOnTopOfSourcePoints()
    {
        var (shop, air) = await PartnersAsync();
        await Exchange.SetExchangeRateAsync(ConversionRequests.Rate(shop, air, 1000, 800, fee: 15));
        var (buyer, flyer) = await MembersAsync(shop, air, 10_000);

        var converted = await shop.Conversions.ConvertAsync(ConversionRequests.Convert(buyer, air, flyer, 1003));

        Assert.Equal(1003, converted.SourcePoints);
        Assert.Equal(15, converted.FeePoints);
        Assert.Equal(802, converted.DestinationPoints);
        Assert.Equal(TransactionKind.Conversion, converted.Transaction.Kind);
        Assert.Equal(-1018, converted.Transaction.Points);
        Assert.Equal(15, converted.Transaction.FeePoints);
        Assert.Equal(air.ProgramCode, converted.Transaction.CounterpartyProgramCode);
        Assert.Equal(10_000 - 1018, converted.BalancePoints);
        var account = await shop.Points.GetAccountAsync(new GetAccountRequest { MemberNumber = buyer });
        Assert.Equal(10_000 - 1018, account.BalancePoints);
        Assert.Equal(1018, account.Totals.ConvertedOutPoints);
        Assert.Equal(802, await air.BalanceAsync(flyer));
    }

    [Theory]
    [InlineData("open", 204)]
    [InlineData("none", 204)]
    [InlineData("past", 0)]
    [InlineData("future", 0)]
    public async Task Convert_WithBonus_AddsFlooredBonusOnlyWhileWindowIsOpen(string window, long expectedBonus)
    {
        var (shop, air) = await PartnersAsync();
        var rate = ConversionRequests.Rate(shop, air, 1000, 800);
        rate.BonusBasisPoints = 2550;
        var now = DateTimeOffset.UtcNow;
        (rate.BonusStartTime, rate.BonusEndTime) = window switch
        {
            "open" => (Timestamp.FromDateTimeOffset(now.AddHours(-1)), Timestamp.FromDateTimeOffset(now.AddHours(1))),
            "past" => (Timestamp.FromDateTimeOffset(now.AddHours(-2)), Timestamp.FromDateTimeOffset(now.AddHours(-1))),
            "future" => (Timestamp.FromDateTimeOffset(now.AddHours(1)), Timestamp.FromDateTimeOffset(now.AddHours(2))),
            _ => (null, null),
        };
        await Exchange.SetExchangeRateAsync(rate);
        var (buyer, flyer) = await MembersAsync(shop, air, 10_000);

        var converted = await shop.Conversions.ConvertAsync(ConversionRequests.Convert(buyer, air, flyer, 1003));

        // base = ⌊1003 × 800 ÷ 1000⌋ = 802; bonus = ⌊802 × 2550 ÷ 10 000⌋ = ⌊204.51⌋ = 204.
        Assert.Equal(802, converted.BaseDestinationPoints);
        Assert.Equal(expectedBonus, converted.BonusPoints);
        Assert.Equal(802 + expectedBonus, converted.DestinationPoints);
        Assert.Equal(802 + expectedBonus, await air.BalanceAsync(flyer));
        Assert.Equal(10_000 - 1003, await shop.BalanceAsync(buyer));
    }

    [Theory]
    [InlineData(120, "NOT_AN_INCREMENT", "increment_points", "50")]
    [InlineData(50, "BELOW_MINIMUM", "minimum_points", "100")]
    [InlineData(10_050, "ABOVE_MAXIMUM", "maximum_points", "10000")]
    public async Task Convert_OutsideRateLimits_IsRefusedWithLimitInMetadata(long sourcePoints, string reason, string key, string value)
    {
        var (shop, air) = await PartnersAsync();
        var rate = ConversionRequests.Rate(shop, air, 1000, 800);
        (rate.MinSourcePoints, rate.MaxSourcePoints, rate.IncrementPoints) = (100, 10_000, 50);
        await Exchange.SetExchangeRateAsync(rate);
        var (buyer, flyer) = await MembersAsync(shop, air, 20_000);

        var error = await RpcAssert.FailsAsync(StatusCode.FailedPrecondition, reason,
            () => shop.Conversions.ConvertAsync(ConversionRequests.Convert(buyer, air, flyer, sourcePoints)));

        Assert.Equal(value, RpcAssert.InfoOf(error)!.Metadata[key]);
        Assert.Equal(20_000, await shop.BalanceAsync(buyer));
        Assert.Equal(0, await air.BalanceAsync(flyer));
    }

    [Theory]
    [InlineData("JPY", 1_250_000, 1003, 802, 1_002_500_000, 1003)] // 1002.5 yen: a half rounds up.
    [InlineData("JPY", 1_200_000, 1003, 802, 962_400_000, 962)] // 962.4 yen rounds down.
    [InlineData("JPY", 999_999, 1000, 800, 799_999_200, 800)] // 799.9992 yen rounds up.
    [InlineData("JPY", 12_500, 50, 40, 500_000, 1)] // 0.5 yen is one yen, not nothing.
    [InlineData("USD", 6_250, 1002, 801, 5_006_250, 501)] // 500.625 cents.
    [InlineData("USD", 12_345, 1003, 802, 9_900_690, 990)] // 990.069 cents.
    public async Task Convert_SettlementAmount_IsDestinationPointsTimesPriceRoundedHalfAwayFromZero(
        string currency, long pointPriceMicros, long sourcePoints, long destinationPoints, long micros, long minor)
    {
        var shop = await Exchange.CreatePartnerAsync();
        var payee = await Exchange.CreatePartnerAsync(pointPriceMicros: pointPriceMicros, currency: currency);
        await Exchange.SetExchangeRateAsync(ConversionRequests.Rate(shop, payee, 1000, 800));
        var (buyer, guest) = await MembersAsync(shop, payee, 10_000);

        var converted = await shop.Conversions.ConvertAsync(ConversionRequests.Convert(buyer, payee, guest, sourcePoints));

        Assert.Equal(destinationPoints, converted.DestinationPoints);
        Assert.Equal(micros, converted.SettlementAmountMicros);
        Assert.Equal(currency, converted.SettlementAmount.CurrencyCode);
        Assert.Equal(minor, converted.SettlementAmount.AmountMinor);
    }

    [Fact]
    public async Task Convert_DestinationMemberNotEnrolled_IsNotFoundAndMovesNothing()
    {
        var (shop, air) = await PartnersAsync();
        await Exchange.SetExchangeRateAsync(ConversionRequests.Rate(shop, air, 1000, 800));
        var buyer = await shop.EnrollAsync();
        await shop.AccrueAsync(buyer, 5_000);

        await RpcAssert.FailsAsync(StatusCode.NotFound, "DESTINATION_MEMBER_NOT_FOUND",
            () => shop.Conversions.ConvertAsync(ConversionRequests.Convert(buyer, air, "nobody-there", 1_000)));

        Assert.Equal(5_000, await shop.BalanceAsync(buyer));
    }

    [Fact]
    public async Task Convert_SourceMemberNotEnrolled_IsMemberNotFound()
    {
        var (shop, air) = await PartnersAsync();
        await Exchange.SetExchangeRateAsync(ConversionRequests.Rate(shop, air, 1000, 800));
        var flyer = await air.EnrollAsync();

        await RpcAssert.FailsAsync(StatusCode.NotFound, "MEMBER_NOT_FOUND",
            () => shop.Conversions.ConvertAsync(ConversionRequests.Convert("nobody-here", air, flyer, 1_000)));

        Assert.Equal(0, await air.BalanceAsync(flyer));
    }

    [Fact]
    public async Task Convert_IntoOwnProgram_IsSameProgram()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var buyer = await shop.EnrollAsync();
        var other = await shop.EnrollAsync();
        await shop.AccrueAsync(buyer, 5_000);

        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "SAME_PROGRAM",
            () => shop.Conversions.ConvertAsync(ConversionRequests.Convert(buyer, shop, other, 1_000)));

        Assert.Equal(5_000, await shop.BalanceAsync(buyer));
    }

    [Fact]
    public async Task Convert_IntoUnknownProgram_IsPartnerNotFound()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var buyer = await shop.EnrollAsync();
        await shop.AccrueAsync(buyer, 5_000);

        await RpcAssert.FailsAsync(StatusCode.NotFound, "PARTNER_NOT_FOUND", () => shop.Conversions.ConvertAsync(new ConvertRequest
        {
            IdempotencyKey = NewKey(),
            SourceMemberNumber = buyer,
            DestinationProgramCode = Exchange.NewProgramCode("NONE"),
            DestinationMemberNumber = "someone",
            SourcePoints = 1_000,
        }));

        Assert.Equal(5_000, await shop.BalanceAsync(buyer));
    }

    [Fact]
    public async Task Convert_CallerSuspended_IsRefusedForCallerAndMovesNothing()
    {
        var (shop, air) = await PartnersAsync();
        await Exchange.SetExchangeRateAsync(ConversionRequests.Rate(shop, air, 1000, 800));
        var (buyer, flyer) = await MembersAsync(shop, air, 5_000);
        await Exchange.Admin().SuspendPartnerAsync(new SuspendPartnerRequest { IdempotencyKey = NewKey(), ProgramCode = shop.ProgramCode });

        var error = await RpcAssert.FailsAsync(StatusCode.FailedPrecondition, "PARTNER_SUSPENDED",
            () => shop.Conversions.ConvertAsync(ConversionRequests.Convert(buyer, air, flyer, 1_000)));

        Assert.Equal("caller", RpcAssert.InfoOf(error)!.Metadata["side"]);
        Assert.Equal(5_000, await shop.BalanceAsync(buyer));
        Assert.Equal(0, await air.BalanceAsync(flyer));
    }

    [Fact]
    public async Task Convert_OnlyReverseDirectionHasARate_IsRateNotConfigured()
    {
        var (shop, air) = await PartnersAsync();
        await Exchange.SetExchangeRateAsync(ConversionRequests.Rate(air, shop, 1000, 800));
        var (buyer, flyer) = await MembersAsync(shop, air, 5_000);

        await RpcAssert.FailsAsync(StatusCode.FailedPrecondition, "RATE_NOT_CONFIGURED",
            () => shop.Conversions.ConvertAsync(ConversionRequests.Convert(buyer, air, flyer, 1_000)));

        Assert.Equal(5_000, await shop.BalanceAsync(buyer));
    }

    [Fact]
    public async Task Convert_CurrentRateVersionSwitchedOff_IsRateNotConfigured()
    {
        var (shop, air) = await PartnersAsync();
        await Exchange.SetExchangeRateAsync(ConversionRequests.Rate(shop, air, 1000, 800));
        var off = ConversionRequests.Rate(shop, air, 1000, 800);
        off.Enabled = false;
        var switchedOff = await Exchange.SetExchangeRateAsync(off);
        var (buyer, flyer) = await MembersAsync(shop, air, 5_000);

        await RpcAssert.FailsAsync(StatusCode.FailedPrecondition, "RATE_NOT_CONFIGURED",
            () => shop.Conversions.ConvertAsync(ConversionRequests.Convert(buyer, air, flyer, 1_000)));

        Assert.Equal(2, switchedOff.Version);
        Assert.Equal(5_000, await shop.BalanceAsync(buyer));
        Assert.Equal(0, await air.BalanceAsync(flyer));
    }

    [Fact]
    public async Task Convert_DestinationPartnerSuspended_IsRefusedForDestinationAndMovesNothing()
    {
        var (shop, air) = await PartnersAsync();
        await Exchange.SetExchangeRateAsync(ConversionRequests.Rate(shop, air, 1000, 800));
        var (buyer, flyer) = await MembersAsync(shop, air, 5_000);
        await air.AccrueAsync(flyer, 300);
        var before = await shop.Points.GetAccountAsync(new GetAccountRequest { MemberNumber = buyer });
        await Exchange.Admin().SuspendPartnerAsync(new SuspendPartnerRequest { IdempotencyKey = NewKey(), ProgramCode = air.ProgramCode });

        var error = await RpcAssert.FailsAsync(StatusCode.FailedPrecondition, "PARTNER_SUSPENDED",
            () => shop.Conversions.ConvertAsync(ConversionRequests.Convert(buyer, air, flyer, 1_000)));

        Assert.Equal("destination", RpcAssert.InfoOf(error)!.Metadata["side"]);
        var after = await shop.Points.GetAccountAsync(new GetAccountRequest { MemberNumber = buyer });
        Assert.Equal(5_000, after.BalancePoints);
        Assert.Equal(before.LastSequence, after.LastSequence);
        Assert.Equal(300, await air.BalanceAsync(flyer));
    }

    [Fact]
    public async Task Convert_MoreThanTheBalance_IsInsufficientPointsAndMovesNothing()
    {
        var (shop, air) = await PartnersAsync();
        await Exchange.SetExchangeRateAsync(ConversionRequests.Rate(shop, air, 1000, 800, fee: 15));
        var (buyer, flyer) = await MembersAsync(shop, air, 1_000);
        await air.AccrueAsync(flyer, 70);

        var error = await RpcAssert.FailsAsync(StatusCode.FailedPrecondition, "INSUFFICIENT_POINTS",
            () => shop.Conversions.ConvertAsync(ConversionRequests.Convert(buyer, air, flyer, 1_000)));

        // The fee counts: 1,000 points cannot pay for 1,000 converted plus 15.
        var metadata = RpcAssert.InfoOf(error)!.Metadata;
        Assert.Equal("1000", metadata["balance_points"]);
        Assert.Equal("1015", metadata["required_points"]);
        Assert.Equal(1_000, await shop.BalanceAsync(buyer));
        Assert.Equal(70, await air.BalanceAsync(flyer));
    }

    [Fact]
    public async Task Reverse_Conversion_RestoresSourceTakesBackDestinationAndCancelsObligation()
    {
        var shop = await Exchange.CreatePartnerAsync();
        // 2,000 points at 1.25025 yen owe 2,500.5 yen: 2,501 yen, and the reversal must cancel exactly that.
        var air = await Exchange.CreatePartnerAsync(pointPriceMicros: 1_250_250, currency: "JPY");
        await Exchange.SetExchangeRateAsync(ConversionRequests.Rate(shop, air, 1000, 800, fee: 15));
        var (buyer, flyer) = await MembersAsync(shop, air, 10_000);
        await air.AccrueAsync(flyer, 100);
        var converted = await shop.Conversions.ConvertAsync(ConversionRequests.Convert(buyer, air, flyer, 2_501));

        var reversed = await shop.Points.ReverseAsync(new ReverseRequest { IdempotencyKey = NewKey(), TransactionId = converted.Transaction.TransactionId });

        Assert.Equal(TransactionKind.Reversal, reversed.Transaction.Kind);
        Assert.Equal(converted.Transaction.TransactionId, reversed.Transaction.ReversedTransactionId);
        Assert.Equal(2_516, reversed.Transaction.Points);
        Assert.Equal(10_000, reversed.BalancePoints);
        Assert.Equal(10_000, await shop.BalanceAsync(buyer));
        Assert.Equal(100, await air.BalanceAsync(flyer));
        Assert.Equal(2_501, converted.SettlementAmount.AmountMinor);
        var owed = LedgerInvariants.ObligationsBetween(Exchange.DatabasePath, shop.ProgramCode, air.ProgramCode);
        Assert.Equal(2, owed.Count);
        Assert.Equal(0, owed.AmountMicros);
        Assert.Equal(0, owed.AmountMinor);
    }

    [Fact]
    public async Task Reverse_ConversionIntoSuspendedPartner_IsPartnerSuspendedAndMovesNothing()
    {
        var (shop, air) = await PartnersAsync();
        await Exchange.SetExchangeRateAsync(ConversionRequests.Rate(shop, air, 1000, 800));
        var (buyer, flyer) = await MembersAsync(shop, air, 10_000);
        var converted = await shop.Conversions.ConvertAsync(ConversionRequests.Convert(buyer, air, flyer, 2_500));
        await Exchange.Admin().SuspendPartnerAsync(new SuspendPartnerRequest { IdempotencyKey = NewKey(), ProgramCode = air.ProgramCode });

        // admin.proto: a suspended partner's members' points cannot move; common.proto: PARTNER_SUSPENDED names
        // the destination of a conversion with side=destination, and no points move.
        var error = await RpcAssert.FailsAsync(StatusCode.FailedPrecondition, "PARTNER_SUSPENDED",
            () => shop.Points.ReverseAsync(new ReverseRequest { IdempotencyKey = NewKey(), TransactionId = converted.Transaction.TransactionId }));

        Assert.Equal("destination", RpcAssert.InfoOf(error)!.Metadata["side"]);
        Assert.Equal(7_500, await shop.BalanceAsync(buyer));
        Assert.Equal(2_000, await air.BalanceAsync(flyer));
        Assert.Equal(1, LedgerInvariants.ObligationsBetween(Exchange.DatabasePath, shop.ProgramCode, air.ProgramCode).Count);
    }

    [Fact]
    public async Task ListTransactions_OfDestinationProgramAfterReversal_ShowsPointsTakenBack()
    {
        var (shop, air) = await PartnersAsync();
        await Exchange.SetExchangeRateAsync(ConversionRequests.Rate(shop, air, 1000, 800, fee: 15));
        var (buyer, flyer) = await MembersAsync(shop, air, 10_000);
        var converted = await shop.Conversions.ConvertAsync(ConversionRequests.Convert(buyer, air, flyer, 2_500));
        var reversed = await shop.Points.ReverseAsync(new ReverseRequest { IdempotencyKey = NewKey(), TransactionId = converted.Transaction.TransactionId });

        var listed = await air.Points.ListTransactionsAsync(new ListTransactionsRequest { MemberNumber = flyer });
        var account = await air.Points.GetAccountAsync(new GetAccountRequest { MemberNumber = flyer });

        Assert.Equal(2, listed.Transactions.Count);
        var seen = listed.Transactions[0];
        Assert.Equal(reversed.Transaction.TransactionId, seen.TransactionId);
        Assert.Equal(TransactionKind.Reversal, seen.Kind);
        Assert.Equal(converted.Transaction.TransactionId, seen.ReversedTransactionId);
        Assert.Equal(-2_000, seen.Points);
        Assert.Equal(shop.ProgramCode, seen.CounterpartyProgramCode);
        Assert.Equal((2_000L, 2_000L, 0L), (account.Totals.ConvertedInPoints, account.Totals.ReversalDebitPoints, account.BalancePoints));
    }

    [Fact]
    public async Task Reverse_ConversionWhosePointsTheDestinationMemberSpent_IsInsufficientPoints()
    {
        var (shop, air) = await PartnersAsync();
        await Exchange.SetExchangeRateAsync(ConversionRequests.Rate(shop, air, 1000, 800, fee: 15));
        var (buyer, flyer) = await MembersAsync(shop, air, 10_000);
        var converted = await shop.Conversions.ConvertAsync(ConversionRequests.Convert(buyer, air, flyer, 2_500));
        await air.Points.RedeemAsync(new RedeemRequest { IdempotencyKey = NewKey(), MemberNumber = flyer, Points = 1 });

        var error = await RpcAssert.FailsAsync(StatusCode.FailedPrecondition, "INSUFFICIENT_POINTS",
            () => shop.Points.ReverseAsync(new ReverseRequest { IdempotencyKey = NewKey(), TransactionId = converted.Transaction.TransactionId }));

        Assert.Equal("1999", RpcAssert.InfoOf(error)!.Metadata["balance_points"]);
        Assert.Equal("2000", RpcAssert.InfoOf(error)!.Metadata["required_points"]);
        Assert.Equal(10_000 - 2_515, await shop.BalanceAsync(buyer));
        Assert.Equal(1_999, await air.BalanceAsync(flyer));
        Assert.Equal(1, LedgerInvariants.ObligationsBetween(Exchange.DatabasePath, shop.ProgramCode, air.ProgramCode).Count);
    }

    [Fact]
    public async Task ListTransactions_OfDestinationProgram_ShowsConversionWithSourceAsCounterparty()
    {
        var (shop, air) = await PartnersAsync();
        await Exchange.SetExchangeRateAsync(ConversionRequests.Rate(shop, air, 1000, 800, fee: 15));
        var (buyer, flyer) = await MembersAsync(shop, air, 10_000);
        var converted = await shop.Conversions.ConvertAsync(ConversionRequests.Convert(buyer, air, flyer, 1_003));

        var listed = await air.Points.ListTransactionsAsync(new ListTransactionsRequest { MemberNumber = flyer });

        var seen = Assert.Single(listed.Transactions);
        Assert.Equal(converted.Transaction.TransactionId, seen.TransactionId);
        Assert.Equal(converted.Transaction.Sequence, seen.Sequence);
        Assert.Equal(TransactionKind.Conversion, seen.Kind);
        Assert.Equal(air.ProgramCode, seen.ProgramCode);
        Assert.Equal(flyer, seen.MemberNumber);
        Assert.Equal(802, seen.Points);
        Assert.Equal(shop.ProgramCode, seen.CounterpartyProgramCode);
        Assert.Equal(1, seen.RateVersion);
        Assert.Equal(0, seen.FeePoints);
    }

    [Fact]
    public async Task ListRates_ShowsOnlyEnabledCurrentRatesOutOfCallersProgram()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var air = await Exchange.CreatePartnerAsync();
        var hotel = await Exchange.CreatePartnerAsync();
        var rail = await Exchange.CreatePartnerAsync();
        var cars = await Exchange.CreatePartnerAsync();
        await Exchange.SetExchangeRateAsync(ConversionRequests.Rate(shop, air, 1000, 800));
        await Exchange.SetExchangeRateAsync(ConversionRequests.Rate(shop, hotel, 1000, 800));
        await Exchange.SetExchangeRateAsync(ConversionRequests.Rate(shop, hotel, 1000, 700));
        await Exchange.SetExchangeRateAsync(ConversionRequests.Rate(shop, rail, 1000, 800));
        var railOff = ConversionRequests.Rate(shop, rail, 1000, 800);
        railOff.Enabled = false;
        await Exchange.SetExchangeRateAsync(railOff);
        var later = ConversionRequests.Rate(shop, cars, 1000, 800);
        later.EffectiveTime = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(1));
        await Exchange.SetExchangeRateAsync(later);
        await Exchange.SetExchangeRateAsync(ConversionRequests.Rate(air, shop, 1000, 800));

        var listed = await shop.Conversions.ListRatesAsync(new ListRatesRequest());

        Assert.Equal(
            new[] { (air.ProgramCode, 1L, 800L), (hotel.ProgramCode, 2L, 700L) }.OrderBy(r => r.Item1, StringComparer.Ordinal),
            listed.Rates.Select(r => (r.ToProgramCode, r.Version, r.ToPoints)));
        Assert.All(listed.Rates, r => Assert.Equal(shop.ProgramCode, r.FromProgramCode));
        Assert.All(listed.Rates, r => Assert.True(r.Enabled));
        Assert.Empty(listed.NextPageToken);
    }

    [Fact]
    public async Task ListRates_SmallPages_FollowTokensToEveryRate()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var destinations = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var partner = await Exchange.CreatePartnerAsync();
            await Exchange.SetExchangeRateAsync(ConversionRequests.Rate(shop, partner, 1000, 800));
            destinations.Add(partner.ProgramCode);
        }

        var listed = new List<string>();
        var request = new ListRatesRequest { PageSize = 2 };
        var pages = 0;
        do
        {
            var page = await shop.Conversions.ListRatesAsync(request);
            listed.AddRange(page.Rates.Select(r => r.ToProgramCode));
            request.PageToken = page.NextPageToken;
            pages++;
        }
        while (request.PageToken.Length > 0 && pages < 10);

        Assert.Equal(2, pages);
        Assert.Equal(destinations.Order(StringComparer.Ordinal), listed);
    }

    [Fact]
    public async Task Convert_RoundTripThereAndBack_NeverGainsPoints()
    {
        var (shop, air) = await PartnersAsync();
        // 1000:800 there and 1000:1250 back multiply to exactly 1, the most the arbitrage guard allows.
        await Exchange.SetExchangeRateAsync(ConversionRequests.Rate(shop, air, 1000, 800));
        await Exchange.SetExchangeRateAsync(ConversionRequests.Rate(air, shop, 1000, 1250));
        var (buyer, flyer) = await MembersAsync(shop, air, 100_000);

        var balance = 100_000L;
        foreach (var amount in new long[] { 1003, 2501, 777, 12_345, 9, 1000 })
        {
            var there = await shop.Conversions.ConvertAsync(ConversionRequests.Convert(buyer, air, flyer, amount));
            var back = await air.Conversions.ConvertAsync(ConversionRequests.Convert(flyer, shop, buyer, there.DestinationPoints));

            Assert.Equal(0, back.BalancePoints);
            var now = await shop.BalanceAsync(buyer);
            Assert.True(now <= balance, $"Converting {amount} there and back turned {balance} into {now}.");
            balance = now;
        }

        Assert.True(balance <= 100_000);
        Assert.Equal(0, await air.BalanceAsync(flyer));
    }

    [Fact]
    public async Task Rejects_ReverseRateThatWouldLetARoundTripGain()
    {
        var (shop, air) = await PartnersAsync();
        await Exchange.SetExchangeRateAsync(ConversionRequests.Rate(shop, air, 1000, 800));

        await RpcAssert.FailsAsync(StatusCode.FailedPrecondition, "RATE_ALLOWS_ARBITRAGE",
            () => Exchange.Admin().SetExchangeRateAsync(ConversionRequests.Rate(air, shop, 1000, 1251)));
    }

    private async Task<(TestPartner Source, TestPartner Destination)> PartnersAsync() =>
        (await Exchange.CreatePartnerAsync(), await Exchange.CreatePartnerAsync(pointPriceMicros: 12_500));

    private static async Task<(string Source, string Destination)> MembersAsync(TestPartner source, TestPartner destination, long sourceBalance)
    {
        var member = await source.EnrollAsync();
        await source.AccrueAsync(member, sourceBalance);
        return (member, await destination.EnrollAsync());
    }

    private static string NewKey() => Guid.NewGuid().ToString("N");
}

