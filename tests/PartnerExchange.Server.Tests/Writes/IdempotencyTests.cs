using Google.Protobuf;
using Google.Rpc;
using Grpc.Core;
using PartnerExchange.Testing;
using PartnerExchange.V1;

namespace PartnerExchange.Server.Tests.Writes;

/// <summary>
/// Exactly-once writes: a key replays its first answer (success or refusal) byte for byte, a key is bound
/// to one request of one method of one partner, and requests that fail validation are never recorded.
/// </summary>
public sealed class IdempotencyTests(RunningExchange exchange) : IntegrationTest(exchange), IClassFixture<RunningExchange>
{
    [Fact]
    public async Task Accrue_SameKeyAndRequest_ReturnsIdenticalResponseBytes()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();
        var request = Accrual(member, 100, "k-accrue");

        var first = await shop.Points.AccrueAsync(request);
        var replay = await shop.Points.AccrueAsync(request);

        Assert.Equal(first.ToByteArray(), replay.ToByteArray());
    }

    [Fact]
    public async Task Accrue_KeyWithSpaces_RunsOnceAndReplays()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();
        // A space is printable ASCII, as common.proto promises; the Redis key and the ledger record take it as is.
        var request = Accrual(member, 100, "order 42 retry 1");

        var first = await shop.Points.AccrueAsync(request);
        var replay = await shop.Points.AccrueAsync(request);

        Assert.Equal(first.ToByteArray(), replay.ToByteArray());
        Assert.Equal(100, await shop.BalanceAsync(member));
    }

    [Fact]
    public async Task Accrue_SameKeyAndRequest_ChangesLedgerOnce()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();
        var request = Accrual(member, 100, "k-once");

        await shop.Points.AccrueAsync(request);
        await shop.Points.AccrueAsync(request);
        await shop.Points.AccrueAsync(request);

        Assert.Equal(100, await shop.BalanceAsync(member));
        Assert.Single((await shop.Points.ListTransactionsAsync(new ListTransactionsRequest { MemberNumber = member })).Transactions);
    }

    [Fact]
    public async Task Accrue_ReplayAfterLaterTransactions_StillReturnsOriginalBalance()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();
        var request = Accrual(member, 100, "k-original");
        var first = await shop.Points.AccrueAsync(request);
        await shop.AccrueAsync(member, 7);

        var replay = await shop.Points.AccrueAsync(request);

        Assert.Equal(100, replay.BalancePoints);
        Assert.Equal(first.Transaction.TransactionId, replay.Transaction.TransactionId);
    }

    [Fact]
    public async Task Accrue_SameKeyDifferentRequest_FailsWithIdempotencyKeyReused()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();
        await shop.Points.AccrueAsync(Accrual(member, 100, "k-reused"));

        await RpcAssert.FailsAsync(StatusCode.FailedPrecondition, "IDEMPOTENCY_KEY_REUSED",
            () => shop.Points.AccrueAsync(Accrual(member, 101, "k-reused")));

        Assert.Equal(100, await shop.BalanceAsync(member));
    }

    [Fact]
    public async Task Accrue_KeyReusedRefusal_IsNotRecordedAndOriginalStillReplays()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();
        var original = Accrual(member, 100, "k-still");
        var first = await shop.Points.AccrueAsync(original);
        await Assert.ThrowsAsync<RpcException>(async () => await shop.Points.AccrueAsync(Accrual(member, 5, "k-still")));

        var replay = await shop.Points.AccrueAsync(original);

        Assert.Equal(first.ToByteArray(), replay.ToByteArray());
    }

    [Fact]
    public async Task Redeem_RefusalReplayedAfterMemberGotEnoughPoints_ReturnsSameRefusal()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();
        await shop.AccrueAsync(member, 50);
        var request = new RedeemRequest { IdempotencyKey = "k-refused", MemberNumber = member, Points = 100 };
        var refused = await RpcAssert.FailsAsync(StatusCode.FailedPrecondition, "INSUFFICIENT_POINTS", () => shop.Points.RedeemAsync(request));
        await shop.AccrueAsync(member, 100);

        var replayed = await RpcAssert.FailsAsync(StatusCode.FailedPrecondition, "INSUFFICIENT_POINTS", () => shop.Points.RedeemAsync(request));

        Assert.Equal(refused.GetRpcStatus(), replayed.GetRpcStatus());
        Assert.Equal("50", RpcAssert.InfoOf(replayed)!.Metadata["balance_points"]);
        Assert.Equal(150, await shop.BalanceAsync(member));
    }

    [Fact]
    public async Task EnrollMember_Replayed_ReturnsOriginalSuccessNotAlreadyEnrolled()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var request = new EnrollMemberRequest { IdempotencyKey = "k-enroll", MemberNumber = "m-enroll" };
        var first = await shop.Points.EnrollMemberAsync(request);

        var replay = await shop.Points.EnrollMemberAsync(request);

        Assert.Equal(first.ToByteArray(), replay.ToByteArray());
    }

    [Fact]
    public async Task Accrue_InvalidRequestThenCorrectedWithSameKey_Runs()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();
        var invalid = Accrual(member, 100, "k-corrected");
        invalid.Reason = AccrualReason.Unspecified;
        await RpcAssert.InvalidAsync(() => shop.Points.AccrueAsync(invalid), "reason");

        var corrected = await shop.Points.AccrueAsync(Accrual(member, 100, "k-corrected"));

        Assert.Equal(100, corrected.BalancePoints);
    }

    [Fact]
    public async Task Accrue_PurchaseAboveCapThenCorrectedWithSameKey_Runs()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();
        var tooBig = Purchase(member, "USD", 1_000_000_000_000_000, "k-cap");
        await RpcAssert.InvalidAsync(() => shop.Points.AccrueAsync(tooBig), "purchase.amount_minor");

        var corrected = await shop.Points.AccrueAsync(Purchase(member, "USD", 1_999, "k-cap"));

        Assert.Equal(19, corrected.BalancePoints);
    }

    [Fact]
    public async Task Accrue_CurrencyMismatchThenCorrectedWithSameKey_Runs()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "CURRENCY_MISMATCH",
            () => shop.Points.AccrueAsync(Purchase(member, "EUR", 1_999, "k-currency")));

        // The contract: requests that fail with INVALID_ARGUMENT are not recorded and may be corrected.
        var corrected = await shop.Points.AccrueAsync(Purchase(member, "USD", 1_999, "k-currency"));

        Assert.Equal(19, corrected.BalancePoints);
    }

    [Fact]
    public async Task Accrue_SameKeyFromAnotherPartner_RunsSeparately()
    {
        var (a, b) = (await Exchange.CreatePartnerAsync(), await Exchange.CreatePartnerAsync());
        var ours = await a.EnrollAsync("same-member");
        var theirs = await b.EnrollAsync("same-member");

        var first = await a.Points.AccrueAsync(Accrual(ours, 100, "k-shared"));
        var second = await b.Points.AccrueAsync(Accrual(theirs, 100, "k-shared"));

        Assert.NotEqual(first.Transaction.TransactionId, second.Transaction.TransactionId);
        Assert.Equal(b.ProgramCode, second.Transaction.ProgramCode);
        Assert.Equal(100, await a.BalanceAsync(ours));
        Assert.Equal(100, await b.BalanceAsync(theirs));
    }

    [Fact]
    public async Task Redeem_KeyAlreadyUsedForAccrue_FailsWithIdempotencyKeyReused()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();
        await shop.Points.AccrueAsync(Accrual(member, 100, "k-method"));

        await RpcAssert.FailsAsync(StatusCode.FailedPrecondition, "IDEMPOTENCY_KEY_REUSED",
            () => shop.Points.RedeemAsync(new RedeemRequest { IdempotencyKey = "k-method", MemberNumber = member, Points = 100 }));

        Assert.Equal(100, await shop.BalanceAsync(member));
    }

    [Fact]
    public async Task Accrue_TwentyConcurrentCallsWithOneKey_PostOnceAndAnswerAlike()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();
        var request = Accrual(member, 100, "k-concurrent");
        var points = shop.Points;

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => AccrueRetryingWhileInProgressAsync(points, request)));

        Assert.Single(responses.Select(r => r.Transaction.TransactionId).Distinct());
        Assert.All(responses, r => Assert.Equal(responses[0].ToByteArray(), r.ToByteArray()));
        Assert.Equal(100, await shop.BalanceAsync(member));
        Assert.Single((await points.ListTransactionsAsync(new ListTransactionsRequest { MemberNumber = member })).Transactions);
    }

    [Fact]
    public async Task CreatePartner_SameKeyAndRequest_ReplaysWithoutProgramCodeTaken()
    {
        var admin = Exchange.Admin();
        var request = new CreatePartnerRequest
        {
            IdempotencyKey = NewKey(),
            ProgramCode = Exchange.NewProgramCode(),
            DisplayName = "Shop",
            ProgramName = "Shop Points",
            Kind = PartnerKind.Retailer,
            SettlementCurrencyCode = "USD",
            PointPriceMicros = 10_000,
        };
        var first = await admin.CreatePartnerAsync(request);

        var replay = await admin.CreatePartnerAsync(request);

        Assert.Equal(first.ToByteArray(), replay.ToByteArray());
    }

    // ---- Helpers ----

    /// <summary>
    /// Calls Accrue as a well-behaved client does: a duplicate that arrives while the first request with its
    /// key is still running is refused with ABORTED / REQUEST_IN_PROGRESS and retried after its RetryInfo delay.
    /// </summary>
    private static async Task<AccrueResponse> AccrueRetryingWhileInProgressAsync(PointsService.PointsServiceClient points, AccrueRequest request)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await points.AccrueAsync(request);
            }
            catch (RpcException error) when (error.StatusCode == StatusCode.Aborted && attempt < 50)
            {
                Assert.Equal("REQUEST_IN_PROGRESS", RpcAssert.ReasonOf(error));
                var retry = error.GetRpcStatus()?.GetDetail<RetryInfo>();
                Assert.NotNull(retry);
                await Task.Delay(retry.RetryDelay.ToTimeSpan());
            }
        }
    }

    private static string NewKey() => Guid.NewGuid().ToString("N");

    private static AccrueRequest Accrual(string member, long points, string idempotencyKey) =>
        new() { IdempotencyKey = idempotencyKey, MemberNumber = member, Points = points, Reason = AccrualReason.Promotion };

    private static AccrueRequest Purchase(string member, string currency, long amountMinor, string idempotencyKey) => new()
    {
        IdempotencyKey = idempotencyKey,
        MemberNumber = member,
        Purchase = new Money { CurrencyCode = currency, AmountMinor = amountMinor },
        Reason = AccrualReason.Purchase,
    };
}
