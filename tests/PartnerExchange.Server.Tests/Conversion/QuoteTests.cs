using System.Buffers.Text;
using System.Text;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using PartnerExchange.Testing;
using PartnerExchange.V1;

namespace PartnerExchange.Server.Tests.Conversion;

/// <summary>Quotes: they price exactly as Convert does, and a quote id locks its terms for its caller only.</summary>
public sealed class QuoteTests(RunningExchange exchange) : IntegrationTest(exchange), IClassFixture<RunningExchange>
{
    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        LedgerInvariants.AssertHold(Exchange.DatabasePath);
    }

    [Fact]
    public async Task Quote_ThenConvertWithItsId_ConvertsExactlyAsQuoted()
    {
        var (shop, air, buyer, flyer) = await SetUpAsync(fee: 15, bonusBasisPoints: 2550);

        var quote = await shop.Conversions.QuoteAsync(new QuoteRequest { DestinationProgramCode = air.ProgramCode, SourcePoints = 1003 });
        var request = ConversionRequests.Convert(buyer, air, flyer, 1003);
        request.QuoteId = quote.QuoteId;
        var converted = await shop.Conversions.ConvertAsync(request);

        Assert.Equal((1003, 15, 1018, 802, 204, 1006), (quote.SourcePoints, quote.FeePoints, quote.MemberDebitPoints,
            quote.BaseDestinationPoints, quote.BonusPoints, quote.DestinationPoints));
        Assert.Equal((quote.SourcePoints, quote.FeePoints, quote.BaseDestinationPoints, quote.BonusPoints, quote.DestinationPoints),
            (converted.SourcePoints, converted.FeePoints, converted.BaseDestinationPoints, converted.BonusPoints, converted.DestinationPoints));
        Assert.Equal(quote.Rate.Version, converted.RateVersion);
        Assert.Equal(quote.Rate.Version, converted.Transaction.RateVersion);
        Assert.Equal(-quote.MemberDebitPoints, converted.Transaction.Points);
        Assert.Equal(10_000 - quote.MemberDebitPoints, await shop.BalanceAsync(buyer));
        Assert.Equal(quote.DestinationPoints, await air.BalanceAsync(flyer));
    }

    [Fact]
    public async Task Quote_ThenConvertWithoutQuoteId_ConvertsExactlyAsQuoted()
    {
        var (shop, air, buyer, flyer) = await SetUpAsync(fee: 7, bonusBasisPoints: 1234);

        var quote = await shop.Conversions.QuoteAsync(new QuoteRequest { DestinationProgramCode = air.ProgramCode, SourcePoints = 4_321 });
        var converted = await shop.Conversions.ConvertAsync(ConversionRequests.Convert(buyer, air, flyer, 4_321));

        Assert.Equal((quote.SourcePoints, quote.FeePoints, quote.BaseDestinationPoints, quote.BonusPoints, quote.DestinationPoints),
            (converted.SourcePoints, converted.FeePoints, converted.BaseDestinationPoints, converted.BonusPoints, converted.DestinationPoints));
        Assert.Equal(quote.Rate.Version, converted.RateVersion);
        Assert.Equal(10_000 - quote.MemberDebitPoints, converted.BalancePoints);
    }

    [Fact]
    public async Task Convert_WithQuoteAfterRateChanged_IsQuoteExpiredAndUnquotedUsesNewVersion()
    {
        var (shop, air, buyer, flyer) = await SetUpAsync();
        var quote = await shop.Conversions.QuoteAsync(new QuoteRequest { DestinationProgramCode = air.ProgramCode, SourcePoints = 1003 });
        var worse = await Exchange.SetExchangeRateAsync(ConversionRequests.Rate(shop, air, 1000, 500));

        var request = ConversionRequests.Convert(buyer, air, flyer, 1003);
        request.QuoteId = quote.QuoteId;
        var error = await RpcAssert.FailsAsync(StatusCode.FailedPrecondition, "QUOTE_EXPIRED", () => shop.Conversions.ConvertAsync(request));
        var unquoted = await shop.Conversions.ConvertAsync(ConversionRequests.Convert(buyer, air, flyer, 1003));

        Assert.Equal((1L, 2L), (quote.Rate.Version, worse.Version));
        Assert.Equal("2", RpcAssert.InfoOf(error)!.Metadata["rate_version"]);
        Assert.Equal((2L, 501L), (unquoted.RateVersion, unquoted.DestinationPoints));
        Assert.Equal(501, await air.BalanceAsync(flyer));
    }

    [Fact]
    public async Task Convert_WithQuoteOfVersionSupersededBeforeReverseRateWasSet_IsQuoteExpiredAndRoundTripGainsNothing()
    {
        // P→A v1 4:5 quoted; P→A v2 2:1; then A→P 1:1 passes the arbitrage guard, which sees only v2.
        var p = await Exchange.CreatePartnerAsync();
        var a = await Exchange.CreatePartnerAsync();
        await Exchange.SetExchangeRateAsync(ConversionRequests.Rate(p, a, 4, 5));
        var member = await p.EnrollAsync();
        await p.AccrueAsync(member, 1_000);
        var sameMemberAtA = await a.EnrollAsync();
        var quote = await p.Conversions.QuoteAsync(new QuoteRequest { DestinationProgramCode = a.ProgramCode, SourcePoints = 1_000 });
        await Exchange.SetExchangeRateAsync(ConversionRequests.Rate(p, a, 2, 1));
        await Exchange.SetExchangeRateAsync(ConversionRequests.Rate(a, p, 1, 1));

        var outbound = ConversionRequests.Convert(member, a, sameMemberAtA, 1_000);
        outbound.QuoteId = quote.QuoteId;
        var refused = await Record.ExceptionAsync(() => p.Conversions.ConvertAsync(outbound).ResponseAsync);
        // Whatever reached A goes all the way back, as the member would send it.
        var heldAtA = await a.BalanceAsync(sameMemberAtA);
        if (heldAtA > 0)
        {
            await a.Conversions.ConvertAsync(ConversionRequests.Convert(sameMemberAtA, p, member, heldAtA));
        }

        Assert.Equal(1_250, quote.DestinationPoints);
        Assert.Equal(1_000, await p.BalanceAsync(member));
        var error = Assert.IsType<RpcException>(refused);
        Assert.Equal((StatusCode.FailedPrecondition, "QUOTE_EXPIRED"), (error.StatusCode, RpcAssert.ReasonOf(error)));
        Assert.Equal("2", RpcAssert.InfoOf(error)!.Metadata["rate_version"]);
    }

    [Fact]
    public async Task Convert_WithQuoteAfterDirectionDisabled_IsRateNotConfiguredAndMovesNothing()
    {
        var (shop, air, buyer, flyer) = await SetUpAsync();
        var quote = await shop.Conversions.QuoteAsync(new QuoteRequest { DestinationProgramCode = air.ProgramCode, SourcePoints = 1_000 });
        var off = ConversionRequests.Rate(shop, air, 1000, 800);
        off.Enabled = false;
        await Exchange.SetExchangeRateAsync(off);

        var request = ConversionRequests.Convert(buyer, air, flyer, 1_000);
        request.QuoteId = quote.QuoteId;
        await RpcAssert.FailsAsync(StatusCode.FailedPrecondition, "RATE_NOT_CONFIGURED", () => shop.Conversions.ConvertAsync(request));

        Assert.Equal(10_000, await shop.BalanceAsync(buyer));
        Assert.Equal(0, await air.BalanceAsync(flyer));
    }

    [Fact]
    public async Task Convert_WithQuoteAfterDirectionDisabledAndEnabledAgain_IsQuoteExpired()
    {
        var (shop, air, buyer, flyer) = await SetUpAsync();
        var quote = await shop.Conversions.QuoteAsync(new QuoteRequest { DestinationProgramCode = air.ProgramCode, SourcePoints = 1_000 });
        var off = ConversionRequests.Rate(shop, air, 1000, 800);
        off.Enabled = false;
        await Exchange.SetExchangeRateAsync(off);
        await Exchange.SetExchangeRateAsync(ConversionRequests.Rate(shop, air, 1000, 800));

        var request = ConversionRequests.Convert(buyer, air, flyer, 1_000);
        request.QuoteId = quote.QuoteId;
        var error = await RpcAssert.FailsAsync(StatusCode.FailedPrecondition, "QUOTE_EXPIRED", () => shop.Conversions.ConvertAsync(request));

        Assert.Equal("3", RpcAssert.InfoOf(error)!.Metadata["rate_version"]);
        Assert.Equal(10_000, await shop.BalanceAsync(buyer));
    }

    [Fact]
    public async Task Convert_WithQuoteAfterBonusWindowClosed_KeepsQuotedBonus()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var air = await Exchange.CreatePartnerAsync();
        var rate = ConversionRequests.Rate(shop, air, 1000, 800);
        var windowEnd = DateTimeOffset.UtcNow.AddSeconds(1);
        (rate.BonusBasisPoints, rate.BonusStartTime, rate.BonusEndTime) =
            (2550, Timestamp.FromDateTimeOffset(windowEnd.AddHours(-1)), Timestamp.FromDateTimeOffset(windowEnd));
        await Exchange.SetExchangeRateAsync(rate);
        var buyer = await shop.EnrollAsync();
        await shop.AccrueAsync(buyer, 10_000);
        var flyer = await air.EnrollAsync();
        var quote = await shop.Conversions.QuoteAsync(new QuoteRequest { DestinationProgramCode = air.ProgramCode, SourcePoints = 1003 });
        // Wait for the window to close (a wait, not a timing assertion).
        await Task.Delay(windowEnd - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(100));

        var request = ConversionRequests.Convert(buyer, air, flyer, 1003);
        request.QuoteId = quote.QuoteId;
        var quoted = await shop.Conversions.ConvertAsync(request);
        var unquoted = await shop.Conversions.ConvertAsync(ConversionRequests.Convert(buyer, air, flyer, 1003));

        Assert.Equal(204, quote.BonusPoints);
        Assert.Equal((204L, 1006L), (quoted.BonusPoints, quoted.DestinationPoints));
        Assert.Equal((0L, 802L), (unquoted.BonusPoints, unquoted.DestinationPoints));
    }

    [Fact]
    public async Task Convert_WithQuoteForOtherPoints_IsQuoteMismatch()
    {
        var (shop, air, buyer, flyer) = await SetUpAsync();
        var quote = await shop.Conversions.QuoteAsync(new QuoteRequest { DestinationProgramCode = air.ProgramCode, SourcePoints = 1_000 });

        var request = ConversionRequests.Convert(buyer, air, flyer, 2_000);
        request.QuoteId = quote.QuoteId;
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "QUOTE_MISMATCH", () => shop.Conversions.ConvertAsync(request));

        Assert.Equal(10_000, await shop.BalanceAsync(buyer));
    }

    [Fact]
    public async Task Convert_WithQuoteForOtherDestination_IsQuoteMismatch()
    {
        var (shop, air, buyer, _) = await SetUpAsync();
        var hotel = await Exchange.CreatePartnerAsync();
        await Exchange.SetExchangeRateAsync(ConversionRequests.Rate(shop, hotel, 1000, 800));
        var guest = await hotel.EnrollAsync();
        var quote = await shop.Conversions.QuoteAsync(new QuoteRequest { DestinationProgramCode = air.ProgramCode, SourcePoints = 1_000 });

        var request = ConversionRequests.Convert(buyer, hotel, guest, 1_000);
        request.QuoteId = quote.QuoteId;
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "QUOTE_MISMATCH", () => shop.Conversions.ConvertAsync(request));

        Assert.Equal(10_000, await shop.BalanceAsync(buyer));
        Assert.Equal(0, await hotel.BalanceAsync(guest));
    }

    [Fact]
    public async Task Convert_WithTamperedQuoteId_IsQuoteInvalid()
    {
        var (shop, air, buyer, flyer) = await SetUpAsync();
        await Exchange.SetExchangeRateAsync(ConversionRequests.Rate(shop, air, 1000, 500));
        var quote = await shop.Conversions.QuoteAsync(new QuoteRequest { DestinationProgramCode = air.ProgramCode, SourcePoints = 1_000 });

        // Claim the better version 1 instead of the quoted version 2, keeping the original signature.
        var request = ConversionRequests.Convert(buyer, air, flyer, 1_000);
        request.QuoteId = WithRateId(quote.QuoteId, rateId => rateId - 1);
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "QUOTE_INVALID", () => shop.Conversions.ConvertAsync(request));

        Assert.Equal(10_000, await shop.BalanceAsync(buyer));
    }

    [Theory]
    [InlineData("not-a-quote")]
    [InlineData("bm90LWEtcXVvdGU.c2lnbmF0dXJl")]
    [InlineData(".")]
    public async Task Convert_WithMalformedQuoteId_IsQuoteInvalid(string quoteId)
    {
        var (shop, air, buyer, flyer) = await SetUpAsync();

        var request = ConversionRequests.Convert(buyer, air, flyer, 1_000);
        request.QuoteId = quoteId;
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "QUOTE_INVALID", () => shop.Conversions.ConvertAsync(request));
    }

    [Fact]
    public async Task Convert_WithAnotherPartnersQuote_IsQuoteInvalid()
    {
        var (shop, air, _, flyer) = await SetUpAsync();
        var bank = await Exchange.CreatePartnerAsync();
        await Exchange.SetExchangeRateAsync(ConversionRequests.Rate(bank, air, 1000, 800));
        var saver = await bank.EnrollAsync();
        await bank.AccrueAsync(saver, 10_000);
        var shopsQuote = await shop.Conversions.QuoteAsync(new QuoteRequest { DestinationProgramCode = air.ProgramCode, SourcePoints = 1_000 });

        var request = ConversionRequests.Convert(saver, air, flyer, 1_000);
        request.QuoteId = shopsQuote.QuoteId;
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "QUOTE_INVALID", () => bank.Conversions.ConvertAsync(request));

        Assert.Equal(10_000, await bank.BalanceAsync(saver));
        Assert.Equal(0, await air.BalanceAsync(flyer));
    }

    [Fact]
    public async Task Quote_ByDefault_LocksTermsForSixtySeconds()
    {
        var (shop, air, _, _) = await SetUpAsync();

        var quote = await shop.Conversions.QuoteAsync(new QuoteRequest { DestinationProgramCode = air.ProgramCode, SourcePoints = 1_000 });

        Assert.Equal(TimeSpan.FromSeconds(60), quote.ExpireTime.ToDateTimeOffset() - quote.QuoteTime.ToDateTimeOffset());
    }

    [Theory]
    [InlineData(1_001, "NOT_AN_INCREMENT", "increment_points", "10")]
    [InlineData(90, "BELOW_MINIMUM", "minimum_points", "100")]
    [InlineData(10_010, "ABOVE_MAXIMUM", "maximum_points", "10000")]
    public async Task Quote_OutsideRateLimits_IsRefusedAsConvertWouldBe(long sourcePoints, string reason, string key, string value)
    {
        var shop = await Exchange.CreatePartnerAsync();
        var air = await Exchange.CreatePartnerAsync();
        var rate = ConversionRequests.Rate(shop, air, 1000, 800);
        (rate.MinSourcePoints, rate.MaxSourcePoints, rate.IncrementPoints) = (100, 10_000, 10);
        await Exchange.SetExchangeRateAsync(rate);

        var error = await RpcAssert.FailsAsync(StatusCode.FailedPrecondition, reason,
            () => shop.Conversions.QuoteAsync(new QuoteRequest { DestinationProgramCode = air.ProgramCode, SourcePoints = sourcePoints }));

        Assert.Equal(value, RpcAssert.InfoOf(error)!.Metadata[key]);
    }

    [Fact]
    public async Task Convert_DestinationPointsOverTransactionLimit_IsInvalidAndMovesNothing()
    {
        var (shop, air, buyer, flyer) = await SetUpMillionfoldAsync();

        // 10^7 points at 1:1,000,000 would credit 10^13, past Ledger:MaxPointsPerTransaction (10^12).
        await RpcAssert.InvalidAsync(() => shop.Conversions.ConvertAsync(ConversionRequests.Convert(buyer, air, flyer, 10_000_000)), "source_points");

        Assert.Equal(10_000_000, await shop.BalanceAsync(buyer));
        Assert.Equal(0, await air.BalanceAsync(flyer));
    }

    [Fact]
    public async Task Quote_DestinationPointsOverTransactionLimit_IsInvalidAsConvertWouldBe()
    {
        var (shop, air, _, _) = await SetUpMillionfoldAsync();

        await RpcAssert.InvalidAsync(
            () => shop.Conversions.QuoteAsync(new QuoteRequest { DestinationProgramCode = air.ProgramCode, SourcePoints = 10_000_000 }), "source_points");
    }

    [Fact]
    public async Task Convert_DestinationPointsAtTransactionLimit_IsAccepted()
    {
        var (shop, air, buyer, flyer) = await SetUpMillionfoldAsync();

        var quote = await shop.Conversions.QuoteAsync(new QuoteRequest { DestinationProgramCode = air.ProgramCode, SourcePoints = 1_000_000 });
        var converted = await shop.Conversions.ConvertAsync(ConversionRequests.Convert(buyer, air, flyer, 1_000_000));

        Assert.Equal((1_000_000_000_000L, 1_000_000_000_000L), (quote.DestinationPoints, converted.DestinationPoints));
    }

    [Fact]
    public async Task Quote_SettlementPastInt64_IsBalanceOverflowAsConvertWouldBe()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var gold = await Exchange.CreatePartnerAsync(pointPriceMicros: 1_000_000_000);
        var rate = ConversionRequests.Rate(shop, gold, 1, 1);
        rate.MaxSourcePoints = 1_000_000_000_000;
        await Exchange.SetExchangeRateAsync(rate);
        var buyer = await shop.EnrollAsync();
        await shop.AccrueAsync(buyer, 10_000_000_000);
        var holder = await gold.EnrollAsync();

        // 10^10 points at 10^9 micros each owe 10^19 micros, past int64.
        await RpcAssert.FailsAsync(StatusCode.FailedPrecondition, "BALANCE_OVERFLOW",
            () => shop.Conversions.ConvertAsync(ConversionRequests.Convert(buyer, gold, holder, 10_000_000_000)));
        await RpcAssert.FailsAsync(StatusCode.FailedPrecondition, "BALANCE_OVERFLOW",
            () => shop.Conversions.QuoteAsync(new QuoteRequest { DestinationProgramCode = gold.ProgramCode, SourcePoints = 10_000_000_000 }));
    }

    [Fact]
    public async Task Quote_RateSwitchedOff_IsRateNotConfigured()
    {
        var (shop, air, _, _) = await SetUpAsync();
        var off = ConversionRequests.Rate(shop, air, 1000, 800);
        off.Enabled = false;
        await Exchange.SetExchangeRateAsync(off);

        await RpcAssert.FailsAsync(StatusCode.FailedPrecondition, "RATE_NOT_CONFIGURED",
            () => shop.Conversions.QuoteAsync(new QuoteRequest { DestinationProgramCode = air.ProgramCode, SourcePoints = 1_000 }));
    }

    [Fact]
    public async Task Quote_DestinationSuspended_IsPartnerSuspendedForDestination()
    {
        var (shop, air, _, _) = await SetUpAsync();
        await Exchange.Admin().SuspendPartnerAsync(new SuspendPartnerRequest { IdempotencyKey = Guid.NewGuid().ToString("N"), ProgramCode = air.ProgramCode });

        var error = await RpcAssert.FailsAsync(StatusCode.FailedPrecondition, "PARTNER_SUSPENDED",
            () => shop.Conversions.QuoteAsync(new QuoteRequest { DestinationProgramCode = air.ProgramCode, SourcePoints = 1_000 }));

        Assert.Equal("destination", RpcAssert.InfoOf(error)!.Metadata["side"]);
    }

    [Fact]
    public async Task Quote_UnknownDestination_IsPartnerNotFound()
    {
        var (shop, _, _, _) = await SetUpAsync();

        await RpcAssert.FailsAsync(StatusCode.NotFound, "PARTNER_NOT_FOUND",
            () => shop.Conversions.QuoteAsync(new QuoteRequest { DestinationProgramCode = Exchange.NewProgramCode("NONE"), SourcePoints = 1_000 }));
    }

    [Fact]
    public async Task Quote_IntoOwnProgram_IsSameProgram()
    {
        var (shop, _, _, _) = await SetUpAsync();

        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "SAME_PROGRAM",
            () => shop.Conversions.QuoteAsync(new QuoteRequest { DestinationProgramCode = shop.ProgramCode, SourcePoints = 1_000 }));
    }

    private async Task<(TestPartner Shop, TestPartner Air, string Buyer, string Flyer)> SetUpAsync(long fee = 0, int bonusBasisPoints = 0)
    {
        var shop = await Exchange.CreatePartnerAsync();
        var air = await Exchange.CreatePartnerAsync(pointPriceMicros: 12_500);
        var rate = ConversionRequests.Rate(shop, air, 1000, 800, fee);
        rate.BonusBasisPoints = bonusBasisPoints;
        await Exchange.SetExchangeRateAsync(rate);
        var buyer = await shop.EnrollAsync();
        await shop.AccrueAsync(buyer, 10_000);
        return (shop, air, buyer, await air.EnrollAsync());
    }

    /// <summary>A 1:1,000,000 rate, and a buyer holding 10^7 source points.</summary>
    private async Task<(TestPartner Shop, TestPartner Air, string Buyer, string Flyer)> SetUpMillionfoldAsync()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var air = await Exchange.CreatePartnerAsync();
        await Exchange.SetExchangeRateAsync(ConversionRequests.Rate(shop, air, 1, 1_000_000));
        var buyer = await shop.EnrollAsync();
        await shop.AccrueAsync(buyer, 10_000_000);
        return (shop, air, buyer, await air.EnrollAsync());
    }

    /// <summary>The quote id with its rate id (the fifth field of the signed payload) changed and the signature kept.</summary>
    private static string WithRateId(string quoteId, Func<long, long> change)
    {
        var dot = quoteId.IndexOf('.', StringComparison.Ordinal);
        var fields = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(quoteId.AsSpan(0, dot))).Split('|');
        fields[4] = change(long.Parse(fields[4], System.Globalization.CultureInfo.InvariantCulture))
            .ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Base64Url.EncodeToString(Encoding.UTF8.GetBytes(string.Join('|', fields))) + quoteId[dot..];
    }
}

/// <summary>Quotes on an exchange whose quotes live one second, so a test can outlive one.</summary>
public sealed class ShortLivedQuoteTests(ShortQuoteExchange fixture) : IntegrationTest(fixture.Exchange), IClassFixture<ShortQuoteExchange>
{
    /// <summary>Comfortably past the one-second lifetime; a wait for expiry, not a timing assertion.</summary>
    private static readonly TimeSpan PastExpiry = TimeSpan.FromMilliseconds(1500);

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        LedgerInvariants.AssertHold(Exchange.DatabasePath);
    }

    [Fact]
    public async Task Convert_WithExpiredQuote_IsQuoteExpiredAndMovesNothing()
    {
        var (shop, air, buyer, flyer) = await SetUpAsync();
        var quote = await shop.Conversions.QuoteAsync(new QuoteRequest { DestinationProgramCode = air.ProgramCode, SourcePoints = 1_000 });
        Assert.Equal(TimeSpan.FromSeconds(1), quote.ExpireTime.ToDateTimeOffset() - quote.QuoteTime.ToDateTimeOffset());
        await Task.Delay(PastExpiry);

        var request = ConversionRequests.Convert(buyer, air, flyer, 1_000);
        request.QuoteId = quote.QuoteId;
        await RpcAssert.FailsAsync(StatusCode.FailedPrecondition, "QUOTE_EXPIRED", () => shop.Conversions.ConvertAsync(request));

        Assert.Equal(10_000, await shop.BalanceAsync(buyer));
        Assert.Equal(0, await air.BalanceAsync(flyer));
    }

    [Fact]
    public async Task Convert_ReplayedAfterItsQuoteExpired_ReturnsOriginalResponse()
    {
        var (shop, air, buyer, flyer) = await SetUpAsync();
        var quote = await shop.Conversions.QuoteAsync(new QuoteRequest { DestinationProgramCode = air.ProgramCode, SourcePoints = 1_000 });
        var request = ConversionRequests.Convert(buyer, air, flyer, 1_000);
        request.QuoteId = quote.QuoteId;
        var first = await shop.Conversions.ConvertAsync(request);
        await Task.Delay(PastExpiry);

        var replayed = await shop.Conversions.ConvertAsync(request);

        Assert.Equal(first, replayed);
        Assert.Equal(9_000, await shop.BalanceAsync(buyer));
        Assert.Equal(800, await air.BalanceAsync(flyer));
    }

    private async Task<(TestPartner Shop, TestPartner Air, string Buyer, string Flyer)> SetUpAsync()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var air = await Exchange.CreatePartnerAsync();
        await Exchange.SetExchangeRateAsync(ConversionRequests.Rate(shop, air, 1000, 800));
        var buyer = await shop.EnrollAsync();
        await shop.AccrueAsync(buyer, 10_000);
        return (shop, air, buyer, await air.EnrollAsync());
    }
}

/// <summary>A running exchange whose quotes expire after one second (the shortest lifetime allowed).</summary>
public sealed class ShortQuoteExchange : IAsyncLifetime
{
    public ShortQuoteExchange() => Exchange.Settings["Exchange:QuoteLifetime"] = "00:00:01";

    public RunningExchange Exchange { get; } = new();

    public Task InitializeAsync() => Exchange.InitializeAsync();

    public Task DisposeAsync() => Exchange.DisposeAsync();
}
