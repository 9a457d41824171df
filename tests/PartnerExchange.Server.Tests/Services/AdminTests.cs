using System.Text;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Core.Interceptors;
using PartnerExchange.Testing;
using PartnerExchange.V1;

namespace PartnerExchange.Server.Tests.Services;

/// <summary>The Admin service over the real server: partners, exchange rates and API keys.</summary>
public sealed class AdminTests(RunningExchange exchange) : IntegrationTest(exchange), IClassFixture<RunningExchange>
{
    private AdminService.AdminServiceClient Admin => Exchange.Admin();

    // ---- CreatePartner ----

    [Fact]
    public async Task CreatePartner_ValidRequest_EchoesFieldsAndIsActive()
    {
        var request = NewPartnerRequest(Exchange.NewProgramCode("AIR"));

        var partner = (await Admin.CreatePartnerAsync(request)).Partner;

        Assert.Equal(request.ProgramCode, partner.ProgramCode);
        Assert.Equal("Sky Air", partner.DisplayName);
        Assert.Equal("SkyMiles", partner.ProgramName);
        Assert.Equal(PartnerKind.Airline, partner.Kind);
        Assert.Equal(PartnerStatus.Active, partner.Status);
        Assert.Equal("EUR", partner.SettlementCurrencyCode);
        Assert.Equal(12_500, partner.PointPriceMicros);
        Assert.Equal(request.EarnRule, partner.EarnRule);
        Assert.NotNull(partner.CreateTime);
        Assert.NotNull(partner.UpdateTime);
    }

    [Fact]
    public async Task CreatePartner_WithoutEarnRule_LeavesEarnRuleUnset()
    {
        var request = NewPartnerRequest(Exchange.NewProgramCode());
        request.EarnRule = null;

        var partner = (await Admin.CreatePartnerAsync(request)).Partner;

        Assert.Null(partner.EarnRule);
    }

    [Fact]
    public async Task CreatePartner_ThenGetPartner_ReturnsTheSamePartner()
    {
        var created = (await Admin.CreatePartnerAsync(NewPartnerRequest(Exchange.NewProgramCode()))).Partner;

        var read = (await Admin.GetPartnerAsync(new GetPartnerRequest { ProgramCode = created.ProgramCode })).Partner;

        Assert.Equal(created, read);
    }

    [Fact]
    public async Task CreatePartner_ProgramCodeInUse_FailsWithProgramCodeTaken()
    {
        var code = Exchange.NewProgramCode();
        await Admin.CreatePartnerAsync(NewPartnerRequest(code));

        await RpcAssert.FailsAsync(StatusCode.AlreadyExists, "PROGRAM_CODE_TAKEN", () => Admin.CreatePartnerAsync(NewPartnerRequest(code)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("A")]
    [InlineData("ab")]
    [InlineData("1AB")]
    [InlineData("AB-C")]
    [InlineData("ABCDEFGHIJKLMNOPQ")]
    public async Task Rejects_InvalidProgramCode(string programCode)
    {
        await RpcAssert.InvalidAsync(() => Admin.CreatePartnerAsync(NewPartnerRequest(programCode)), "program_code");
    }

    [Theory]
    [InlineData("XXX")]
    [InlineData("usd")]
    [InlineData("")]
    public async Task Rejects_UnknownSettlementCurrency(string currency)
    {
        var request = NewPartnerRequest(Exchange.NewProgramCode());
        request.SettlementCurrencyCode = currency;

        await RpcAssert.InvalidAsync(() => Admin.CreatePartnerAsync(request), "settlement_currency_code");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(1_000_000_001)]
    public async Task Rejects_PointPriceOutsideOneToBillion(long priceMicros)
    {
        var request = NewPartnerRequest(Exchange.NewProgramCode());
        request.PointPriceMicros = priceMicros;

        await RpcAssert.InvalidAsync(() => Admin.CreatePartnerAsync(request), "point_price_micros");
    }

    [Fact]
    public async Task Rejects_PartnerWithoutKind()
    {
        var request = NewPartnerRequest(Exchange.NewProgramCode());
        request.Kind = PartnerKind.Unspecified;

        await RpcAssert.InvalidAsync(() => Admin.CreatePartnerAsync(request), "kind");
    }

    [Fact]
    public async Task Rejects_InvalidEarnRule()
    {
        var request = NewPartnerRequest(Exchange.NewProgramCode());
        request.EarnRule = new EarnRule { CurrencyCode = "XXX", Points = 0, PerAmountMinor = 0 };

        await RpcAssert.InvalidAsync(() => Admin.CreatePartnerAsync(request),
            "earn_rule.currency_code", "earn_rule.points", "earn_rule.per_amount_minor");
    }

    [Fact]
    public async Task CreatePartner_InvalidRequest_CreatesNothing()
    {
        var request = NewPartnerRequest(Exchange.NewProgramCode());
        request.PointPriceMicros = 0;
        await Assert.ThrowsAsync<RpcException>(async () => await Admin.CreatePartnerAsync(request));

        await RpcAssert.FailsAsync(StatusCode.NotFound, "PARTNER_NOT_FOUND",
            () => Admin.GetPartnerAsync(new GetPartnerRequest { ProgramCode = request.ProgramCode }));
    }

    // ---- GetPartner / ListPartners ----

    [Fact]
    public async Task GetPartner_UnknownProgram_FailsWithPartnerNotFound()
    {
        await RpcAssert.FailsAsync(StatusCode.NotFound, "PARTNER_NOT_FOUND",
            () => Admin.GetPartnerAsync(new GetPartnerRequest { ProgramCode = Exchange.NewProgramCode("NONE") }));
    }

    [Fact]
    public async Task ListPartners_InPages_ReturnsEveryPartnerOnceByProgramCode()
    {
        var created = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            created.Add((await Exchange.CreatePartnerAsync()).ProgramCode);
        }

        var listed = new List<string>();
        var token = "";
        do
        {
            var page = await Admin.ListPartnersAsync(new ListPartnersRequest { PageSize = 2, PageToken = token });
            Assert.InRange(page.Partners.Count, 1, 2);
            listed.AddRange(page.Partners.Select(p => p.ProgramCode));
            token = page.NextPageToken;
        }
        while (token.Length > 0);

        Assert.Equal(listed.Distinct().Count(), listed.Count);
        Assert.Equal(listed.Order(StringComparer.Ordinal), listed);
        Assert.Subset(listed.ToHashSet(), created.ToHashSet());
    }

    [Fact]
    public async Task ListPartners_PageSizeAboveMaximum_FailsWithViolationOnPageSize()
    {
        await RpcAssert.InvalidAsync(() => Admin.ListPartnersAsync(new ListPartnersRequest { PageSize = 501 }), "page_size");
    }

    [Fact]
    public async Task ListPartners_GarbagePageToken_FailsWithInvalidPageToken()
    {
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "INVALID_PAGE_TOKEN",
            () => Admin.ListPartnersAsync(new ListPartnersRequest { PageToken = "garbage!" }));
    }

    // ---- UpdatePartner / SuspendPartner / ResumePartner ----

    [Fact]
    public async Task UpdatePartner_OnlyDisplayNameSet_ChangesOnlyDisplayName()
    {
        var before = (await Admin.CreatePartnerAsync(NewPartnerRequest(Exchange.NewProgramCode()))).Partner;

        var after = (await Admin.UpdatePartnerAsync(new UpdatePartnerRequest
        {
            IdempotencyKey = NewKey(),
            ProgramCode = before.ProgramCode,
            DisplayName = "Sky Air International",
        })).Partner;

        var expected = before.Clone();
        expected.DisplayName = "Sky Air International";
        expected.UpdateTime = after.UpdateTime;
        Assert.Equal(expected, after);
    }

    [Fact]
    public async Task UpdatePartner_PriceKindAndEarnRuleSet_ChangesThoseAndKeepsNames()
    {
        var before = (await Admin.CreatePartnerAsync(NewPartnerRequest(Exchange.NewProgramCode()))).Partner;
        var rule = new EarnRule { CurrencyCode = "EUR", Points = 3, PerAmountMinor = 200 };

        var after = (await Admin.UpdatePartnerAsync(new UpdatePartnerRequest
        {
            IdempotencyKey = NewKey(),
            ProgramCode = before.ProgramCode,
            Kind = PartnerKind.Hotel,
            PointPriceMicros = 9_000,
            EarnRule = rule,
        })).Partner;

        Assert.Equal(PartnerKind.Hotel, after.Kind);
        Assert.Equal(9_000, after.PointPriceMicros);
        Assert.Equal(rule, after.EarnRule);
        Assert.Equal(before.DisplayName, after.DisplayName);
        Assert.Equal(before.ProgramName, after.ProgramName);
        Assert.Equal(before.SettlementCurrencyCode, after.SettlementCurrencyCode);
    }

    [Fact]
    public async Task UpdatePartner_UnknownProgram_FailsWithPartnerNotFound()
    {
        await RpcAssert.FailsAsync(StatusCode.NotFound, "PARTNER_NOT_FOUND",
            () => Admin.UpdatePartnerAsync(new UpdatePartnerRequest
            {
                IdempotencyKey = NewKey(),
                ProgramCode = Exchange.NewProgramCode("NONE"),
                DisplayName = "x",
            }));
    }

    [Fact]
    public async Task SuspendPartner_ThenResume_SwitchesStatus()
    {
        var code = (await Exchange.CreatePartnerAsync()).ProgramCode;

        var suspended = (await Admin.SuspendPartnerAsync(new SuspendPartnerRequest { IdempotencyKey = NewKey(), ProgramCode = code })).Partner;
        var resumed = (await Admin.ResumePartnerAsync(new ResumePartnerRequest { IdempotencyKey = NewKey(), ProgramCode = code })).Partner;

        Assert.Equal(PartnerStatus.Suspended, suspended.Status);
        Assert.Equal(PartnerStatus.Active, resumed.Status);
    }

    [Fact]
    public async Task SuspendPartner_UnknownProgram_FailsWithPartnerNotFound()
    {
        await RpcAssert.FailsAsync(StatusCode.NotFound, "PARTNER_NOT_FOUND",
            () => Admin.SuspendPartnerAsync(new SuspendPartnerRequest { IdempotencyKey = NewKey(), ProgramCode = Exchange.NewProgramCode("NONE") }));
    }

    // ---- SetExchangeRate / ListExchangeRates ----

    [Fact]
    public async Task SetExchangeRate_FirstAndSecondTime_CreatesVersionsOneAndTwo()
    {
        var (from, to) = await TwoPartnersAsync();

        var first = (await Admin.SetExchangeRateAsync(RateRequest(from, to, 1000, 800))).Rate;
        var second = (await Admin.SetExchangeRateAsync(RateRequest(from, to, 1000, 900))).Rate;

        Assert.Equal(1, first.Version);
        Assert.Equal(2, second.Version);
        Assert.Equal(from, second.FromProgramCode);
        Assert.Equal(to, second.ToProgramCode);
        Assert.Equal(1000, second.FromPoints);
        Assert.Equal(900, second.ToPoints);
        Assert.True(second.Enabled);
        Assert.NotNull(second.EffectiveTime);
    }

    [Fact]
    public async Task ListExchangeRates_CurrentOnly_ReturnsLatestVersion()
    {
        var (from, to) = await TwoPartnersAsync();
        await Admin.SetExchangeRateAsync(RateRequest(from, to, 1000, 800));
        await Admin.SetExchangeRateAsync(RateRequest(from, to, 1000, 900));

        var listed = await Admin.ListExchangeRatesAsync(new ListExchangeRatesRequest { FromProgramCode = from, ToProgramCode = to });

        var rate = Assert.Single(listed.Rates);
        Assert.Equal(2, rate.Version);
        Assert.Equal(900, rate.ToPoints);
    }

    [Fact]
    public async Task ListExchangeRates_WithHistory_ReturnsEveryVersionNewestFirst()
    {
        var (from, to) = await TwoPartnersAsync();
        await Admin.SetExchangeRateAsync(RateRequest(from, to, 1000, 800));
        await Admin.SetExchangeRateAsync(RateRequest(from, to, 1000, 900));

        var listed = await Admin.ListExchangeRatesAsync(new ListExchangeRatesRequest
        {
            FromProgramCode = from,
            ToProgramCode = to,
            IncludeHistory = true,
        });

        Assert.Equal([2L, 1L], listed.Rates.Select(r => r.Version));
        Assert.Equal([900L, 800L], listed.Rates.Select(r => r.ToPoints));
    }

    [Fact]
    public async Task SetExchangeRate_SameProgramBothSides_FailsWithSameProgram()
    {
        var code = (await Exchange.CreatePartnerAsync()).ProgramCode;

        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "SAME_PROGRAM", () => Admin.SetExchangeRateAsync(RateRequest(code, code, 1, 1)));
    }

    [Fact]
    public async Task SetExchangeRate_UnknownDestination_FailsWithPartnerNotFound()
    {
        var code = (await Exchange.CreatePartnerAsync()).ProgramCode;

        await RpcAssert.FailsAsync(StatusCode.NotFound, "PARTNER_NOT_FOUND",
            () => Admin.SetExchangeRateAsync(RateRequest(code, Exchange.NewProgramCode("NONE"), 1, 1)));
    }

    [Fact]
    public async Task SetExchangeRate_UnknownSource_FailsWithPartnerNotFound()
    {
        var code = (await Exchange.CreatePartnerAsync()).ProgramCode;

        await RpcAssert.FailsAsync(StatusCode.NotFound, "PARTNER_NOT_FOUND",
            () => Admin.SetExchangeRateAsync(RateRequest(Exchange.NewProgramCode("NONE"), code, 1, 1)));
    }

    [Theory]
    [InlineData("increment_points")]
    [InlineData("from_points")]
    [InlineData("to_points")]
    [InlineData("min_source_points")]
    [InlineData("max_source_points")]
    [InlineData("member_fee_points")]
    [InlineData("bonus_basis_points")]
    public async Task Rejects_InvalidRateTerm(string field)
    {
        var (from, to) = await TwoPartnersAsync();
        var request = RateRequest(from, to, 1000, 800);
        switch (field)
        {
            case "increment_points": request.IncrementPoints = 0; break;
            case "from_points": request.FromPoints = 0; break;
            case "to_points": request.ToPoints = 1_000_000_001; break;
            case "min_source_points": request.MinSourcePoints = 1; break; // 1 point converts to nothing at 1000:800
            case "max_source_points": request.MaxSourcePoints = request.MinSourcePoints - 1; break;
            case "member_fee_points": request.MemberFeePoints = -1; break;
            case "bonus_basis_points": request.BonusBasisPoints = 100_001; break;
            default: throw new ArgumentOutOfRangeException(nameof(field));
        }

        await RpcAssert.InvalidAsync(() => Admin.SetExchangeRateAsync(request), field);
    }

    [Fact]
    public async Task SetExchangeRate_BonusWindowEndBeforeStart_FailsWithViolationOnBonusEndTime()
    {
        var (from, to) = await TwoPartnersAsync();
        var request = RateRequest(from, to, 1000, 800);
        request.BonusBasisPoints = 1_000;
        request.BonusStartTime = Timestamp.FromDateTimeOffset(new DateTimeOffset(2030, 1, 2, 0, 0, 0, TimeSpan.Zero));
        request.BonusEndTime = Timestamp.FromDateTimeOffset(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));

        await RpcAssert.InvalidAsync(() => Admin.SetExchangeRateAsync(request), "bonus_end_time");
    }

    [Fact]
    public async Task SetExchangeRate_BonusWindowWithoutEnd_FailsWithViolationOnBonusEndTime()
    {
        var (from, to) = await TwoPartnersAsync();
        var request = RateRequest(from, to, 1000, 800);
        request.BonusBasisPoints = 1_000;
        request.BonusStartTime = Timestamp.FromDateTimeOffset(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));

        // Field violations name request fields, so a client can point at them: bonus_end_time, as in the proto.
        await RpcAssert.InvalidAsync(() => Admin.SetExchangeRateAsync(request), "bonus_end_time");
    }

    [Fact]
    public async Task SetExchangeRate_ReverseOfRateWouldGainOnRoundTrip_FailsWithRateAllowsArbitrage()
    {
        var (a, b) = await TwoPartnersAsync();
        await Admin.SetExchangeRateAsync(RateRequest(a, b, 1, 2));

        await RpcAssert.FailsAsync(StatusCode.FailedPrecondition, "RATE_ALLOWS_ARBITRAGE",
            () => Admin.SetExchangeRateAsync(RateRequest(b, a, 1, 1)));

        var back = await Admin.ListExchangeRatesAsync(new ListExchangeRatesRequest { FromProgramCode = b, ToProgramCode = a, IncludeHistory = true });
        Assert.Empty(back.Rates);
    }

    [Fact]
    public async Task SetExchangeRate_ReverseThatLosesOnRoundTrip_IsAccepted()
    {
        var (a, b) = await TwoPartnersAsync();
        await Admin.SetExchangeRateAsync(RateRequest(a, b, 1, 2));

        var back = (await Admin.SetExchangeRateAsync(RateRequest(b, a, 2, 1))).Rate;

        Assert.Equal(1, back.Version);
    }

    [Fact]
    public async Task SetExchangeRate_ClosingAThreeProgramCycleThatGains_FailsWithTheCycle()
    {
        var (a, b) = await TwoPartnersAsync();
        var c = (await Exchange.CreatePartnerAsync()).ProgramCode;
        await Admin.SetExchangeRateAsync(RateRequest(a, b, 1, 2));
        await Admin.SetExchangeRateAsync(RateRequest(b, c, 1, 1));

        // 1 A → 2 B → 2 C → 1.2 A: no pair of programs gains, the triangle does.
        var error = await RpcAssert.FailsAsync(StatusCode.FailedPrecondition, "RATE_ALLOWS_ARBITRAGE",
            () => Admin.SetExchangeRateAsync(RateRequest(c, a, 5, 3)));

        Assert.Equal(string.Join(",", c, a, b, c), RpcAssert.InfoOf(error)!.Metadata["cycle"]);
        var back = await Admin.ListExchangeRatesAsync(new ListExchangeRatesRequest { FromProgramCode = c, ToProgramCode = a, IncludeHistory = true });
        Assert.Empty(back.Rates);
    }

    [Fact]
    public async Task SetExchangeRate_ThreeProgramCycleThatLoses_IsAccepted()
    {
        var (a, b) = await TwoPartnersAsync();
        var c = (await Exchange.CreatePartnerAsync()).ProgramCode;
        await Admin.SetExchangeRateAsync(RateRequest(a, b, 1, 2));
        await Admin.SetExchangeRateAsync(RateRequest(b, c, 1, 1));

        var back = (await Admin.SetExchangeRateAsync(RateRequest(c, a, 2, 1))).Rate;

        Assert.Equal(1, back.Version);
    }

    [Fact]
    public async Task SetExchangeRate_FutureVersionOnTheWayBack_Counts()
    {
        var (a, b) = await TwoPartnersAsync();
        var c = (await Exchange.CreatePartnerAsync()).ProgramCode;
        await Admin.SetExchangeRateAsync(RateRequest(a, b, 1, 2));
        await Admin.SetExchangeRateAsync(RateRequest(b, c, 2, 1));
        var later = RateRequest(b, c, 1, 1);
        later.EffectiveTime = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(30));
        await Admin.SetExchangeRateAsync(later);

        // Today A→B→C→A at 1:1 returns what it took; once the later B→C starts it would double.
        await RpcAssert.FailsAsync(StatusCode.FailedPrecondition, "RATE_ALLOWS_ARBITRAGE",
            () => Admin.SetExchangeRateAsync(RateRequest(c, a, 1, 1)));
    }

    [Fact]
    public async Task SetExchangeRate_DisabledRateOnTheWayBack_DoesNotCount()
    {
        var (a, b) = await TwoPartnersAsync();
        var c = (await Exchange.CreatePartnerAsync()).ProgramCode;
        await Admin.SetExchangeRateAsync(RateRequest(a, b, 1, 2));
        await Admin.SetExchangeRateAsync(RateRequest(b, c, 1, 1));
        var disabled = RateRequest(b, c, 1, 1);
        disabled.Enabled = false;
        await Admin.SetExchangeRateAsync(disabled);

        var back = (await Admin.SetExchangeRateAsync(RateRequest(c, a, 1, 1))).Rate;

        Assert.Equal(1, back.Version);
    }

    // ---- API keys ----

    [Fact]
    public async Task CreateApiKey_ForPartner_ReturnsMetadataAndWorkingSecret()
    {
        var code = (await Admin.CreatePartnerAsync(NewPartnerRequest(Exchange.NewProgramCode()))).Partner.ProgramCode;

        var created = await Admin.CreateApiKeyAsync(PartnerKeyRequest(code, NewKey()));

        Assert.Equal(ApiKeyRole.Partner, created.ApiKey.Role);
        Assert.Equal(code, created.ApiKey.ProgramCode);
        Assert.Equal("till 4", created.ApiKey.Label);
        Assert.Null(created.ApiKey.RevokeTime);
        Assert.Contains(created.ApiKey.KeyId, created.Secret, StringComparison.Ordinal);
        var points = Exchange.Points(created.Secret);
        await points.EnrollMemberAsync(new EnrollMemberRequest { IdempotencyKey = NewKey(), MemberNumber = "first" });
    }

    [Fact]
    public async Task CreateApiKey_ReplayedWithSameIdempotencyKey_ReturnsSameKeyWithoutSecret()
    {
        var code = (await Exchange.CreatePartnerAsync()).ProgramCode;
        var idempotencyKey = NewKey();
        var first = await Admin.CreateApiKeyAsync(PartnerKeyRequest(code, idempotencyKey));

        var replay = await Admin.CreateApiKeyAsync(PartnerKeyRequest(code, idempotencyKey));

        Assert.NotEmpty(first.Secret);
        Assert.Equal(first.ApiKey, replay.ApiKey);
        Assert.Empty(replay.Secret);
    }

    [Fact]
    public async Task CreateApiKey_UnknownPartner_FailsWithPartnerNotFound()
    {
        await RpcAssert.FailsAsync(StatusCode.NotFound, "PARTNER_NOT_FOUND",
            () => Admin.CreateApiKeyAsync(PartnerKeyRequest(Exchange.NewProgramCode("NONE"), NewKey())));
    }

    [Fact]
    public async Task CreateApiKey_OperatorKeyWithProgramCode_FailsWithViolationOnProgramCode()
    {
        var code = (await Exchange.CreatePartnerAsync()).ProgramCode;
        var request = PartnerKeyRequest(code, NewKey());
        request.Role = ApiKeyRole.Operator;

        await RpcAssert.InvalidAsync(() => Admin.CreateApiKeyAsync(request), "program_code");
    }

    [Fact]
    public async Task CreateApiKey_WithoutRole_FailsWithViolationOnRole()
    {
        var code = (await Exchange.CreatePartnerAsync()).ProgramCode;
        var request = PartnerKeyRequest(code, NewKey());
        request.Role = ApiKeyRole.Unspecified;

        await RpcAssert.InvalidAsync(() => Admin.CreateApiKeyAsync(request), "role");
    }

    [Fact]
    public async Task CreateApiKey_Operator_SecretWorksOnAdmin()
    {
        var created = await Admin.CreateApiKeyAsync(new CreateApiKeyRequest { IdempotencyKey = NewKey(), Role = ApiKeyRole.Operator, Label = "ops" });
        var admin = new AdminService.AdminServiceClient(Exchange.Channel.Intercept(m => WithKey(m, created.Secret)));

        var listed = await admin.ListApiKeysAsync(new ListApiKeysRequest { PageSize = 500 });

        Assert.Equal(ApiKeyRole.Operator, created.ApiKey.Role);
        Assert.Empty(created.ApiKey.ProgramCode);
        Assert.Contains(listed.ApiKeys, k => k.KeyId == created.ApiKey.KeyId);
    }

    [Fact]
    public async Task ListApiKeys_OfPartner_ShowsItsKeysWithoutSecrets()
    {
        var code = (await Exchange.CreatePartnerAsync()).ProgramCode;
        var second = await Admin.CreateApiKeyAsync(PartnerKeyRequest(code, NewKey()));

        var listed = await Admin.ListApiKeysAsync(new ListApiKeysRequest { ProgramCode = code });

        Assert.Equal(2, listed.ApiKeys.Count);
        Assert.All(listed.ApiKeys, k => Assert.Equal(code, k.ProgramCode));
        Assert.Contains(listed.ApiKeys, k => k.KeyId == second.ApiKey.KeyId);
        // Neither the whole token nor its secret part appears anywhere in the listing.
        var secretPart = second.Secret[(second.Secret.LastIndexOf('_') + 1)..];
        Assert.DoesNotContain(secretPart, listed.ToString(), StringComparison.Ordinal);
        Assert.True(listed.ToByteArray().AsSpan().IndexOf(Encoding.ASCII.GetBytes(secretPart)) < 0);
    }

    [Fact]
    public async Task ListApiKeys_InPages_ReturnsEveryKeyOnceByKeyId()
    {
        var code = (await Exchange.CreatePartnerAsync()).ProgramCode;
        for (var i = 0; i < 4; i++)
        {
            await Admin.CreateApiKeyAsync(PartnerKeyRequest(code, NewKey()));
        }

        var listed = new List<string>();
        var token = "";
        do
        {
            var page = await Admin.ListApiKeysAsync(new ListApiKeysRequest { ProgramCode = code, PageSize = 2, PageToken = token });
            listed.AddRange(page.ApiKeys.Select(k => k.KeyId));
            token = page.NextPageToken;
        }
        while (token.Length > 0);

        Assert.Equal(5, listed.Distinct().Count());
        Assert.Equal(listed.Order(StringComparer.Ordinal), listed);
    }

    [Fact]
    public async Task RevokeApiKey_ThenCallWithIt_FailsWithApiKeyInvalid()
    {
        var code = (await Exchange.CreatePartnerAsync()).ProgramCode;
        var created = await Admin.CreateApiKeyAsync(PartnerKeyRequest(code, NewKey()));
        var points = Exchange.Points(created.Secret);
        await points.EnrollMemberAsync(new EnrollMemberRequest { IdempotencyKey = NewKey(), MemberNumber = "m1" });

        await Admin.RevokeApiKeyAsync(new RevokeApiKeyRequest { IdempotencyKey = NewKey(), KeyId = created.ApiKey.KeyId });

        await RpcAssert.FailsAsync(StatusCode.Unauthenticated, "API_KEY_INVALID",
            () => points.GetAccountAsync(new GetAccountRequest { MemberNumber = "m1" }));
    }

    [Fact]
    public async Task RevokeApiKey_Existing_ReturnsKeyWithRevokeTime()
    {
        var code = (await Exchange.CreatePartnerAsync()).ProgramCode;
        var created = await Admin.CreateApiKeyAsync(PartnerKeyRequest(code, NewKey()));

        var revoked = (await Admin.RevokeApiKeyAsync(new RevokeApiKeyRequest { IdempotencyKey = NewKey(), KeyId = created.ApiKey.KeyId })).ApiKey;

        Assert.Equal(created.ApiKey.KeyId, revoked.KeyId);
        Assert.NotNull(revoked.RevokeTime);
        var listed = await Admin.ListApiKeysAsync(new ListApiKeysRequest { ProgramCode = code });
        Assert.Equal(revoked.RevokeTime, listed.ApiKeys.Single(k => k.KeyId == revoked.KeyId).RevokeTime);
    }

    [Fact]
    public async Task RevokeApiKey_UnknownId_FailsWithApiKeyNotFound()
    {
        await RpcAssert.FailsAsync(StatusCode.NotFound, "API_KEY_NOT_FOUND",
            () => Admin.RevokeApiKeyAsync(new RevokeApiKeyRequest { IdempotencyKey = NewKey(), KeyId = "0123456789abcdef" }));
    }

    // ---- Helpers ----

    private static string NewKey() => Guid.NewGuid().ToString("N");

    private static CreatePartnerRequest NewPartnerRequest(string programCode) => new()
    {
        IdempotencyKey = NewKey(),
        ProgramCode = programCode,
        DisplayName = "Sky Air",
        ProgramName = "SkyMiles",
        Kind = PartnerKind.Airline,
        SettlementCurrencyCode = "EUR",
        PointPriceMicros = 12_500,
        EarnRule = new EarnRule { CurrencyCode = "EUR", Points = 1, PerAmountMinor = 100 },
    };

    private static CreateApiKeyRequest PartnerKeyRequest(string programCode, string idempotencyKey) => new()
    {
        IdempotencyKey = idempotencyKey,
        Role = ApiKeyRole.Partner,
        ProgramCode = programCode,
        Label = "till 4",
    };

    private static SetExchangeRateRequest RateRequest(string from, string to, long fromPoints, long toPoints) => new()
    {
        IdempotencyKey = NewKey(),
        FromProgramCode = from,
        ToProgramCode = to,
        FromPoints = fromPoints,
        ToPoints = toPoints,
        MinSourcePoints = fromPoints,
        MaxSourcePoints = fromPoints * 1_000,
        IncrementPoints = 1,
        Enabled = true,
    };

    private async Task<(string From, string To)> TwoPartnersAsync() =>
        ((await Exchange.CreatePartnerAsync()).ProgramCode, (await Exchange.CreatePartnerAsync()).ProgramCode);

    private static Metadata WithKey(Metadata metadata, string key)
    {
        metadata.Add("authorization", $"Bearer {key}");
        return metadata;
    }
}
