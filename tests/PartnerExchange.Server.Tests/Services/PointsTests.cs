using Grpc.Core;
using PartnerExchange.Testing;
using PartnerExchange.V1;

namespace PartnerExchange.Server.Tests.Services;

/// <summary>The Points service over the real server: enrolment, accrual, redemption, reversal and reads.</summary>
public sealed class PointsTests(RunningExchange exchange) : IntegrationTest(exchange), IClassFixture<RunningExchange>
{
    /// <summary>The default Ledger:MaxPointsPerTransaction.</summary>
    private const long MaxPointsPerTransaction = 1_000_000_000_000;

    // ---- EnrollMember ----

    [Fact]
    public async Task EnrollMember_NewNumber_ReturnsMemberOfCallersProgram()
    {
        var shop = await Exchange.CreatePartnerAsync();

        var response = await shop.Points.EnrollMemberAsync(new EnrollMemberRequest { IdempotencyKey = NewKey(), MemberNumber = "alice.01_x-Y" });

        Assert.Equal(shop.ProgramCode, response.Member.ProgramCode);
        Assert.Equal("alice.01_x-Y", response.Member.MemberNumber);
        Assert.NotNull(response.Member.EnrollTime);
        Assert.Equal(0, await shop.BalanceAsync("alice.01_x-Y"));
    }

    [Fact]
    public async Task EnrollMember_AlreadyEnrolled_FailsWithMemberAlreadyEnrolled()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();

        await RpcAssert.FailsAsync(StatusCode.AlreadyExists, "MEMBER_ALREADY_ENROLLED",
            () => shop.Points.EnrollMemberAsync(new EnrollMemberRequest { IdempotencyKey = NewKey(), MemberNumber = member }));
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("slash/ed")]
    [InlineData("caf\u00e9")]
    [InlineData("M1234567890123456789012345678901234567890123456789012345678901234")]
    public async Task Rejects_InvalidMemberNumberOnEnroll(string memberNumber)
    {
        var shop = await Exchange.CreatePartnerAsync();

        await RpcAssert.InvalidAsync(
            () => shop.Points.EnrollMemberAsync(new EnrollMemberRequest { IdempotencyKey = NewKey(), MemberNumber = memberNumber }),
            "member_number");
    }

    // ---- Accrue ----

    [Fact]
    public async Task Accrue_Points_CreditsMemberAndReturnsAccrual()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();

        var response = await shop.Points.AccrueAsync(new AccrueRequest
        {
            IdempotencyKey = NewKey(),
            MemberNumber = member,
            Points = 250,
            Reason = AccrualReason.Referral,
            Reference = "order-17",
        });

        var transaction = response.Transaction;
        Assert.Equal(250, response.BalancePoints);
        Assert.Equal(TransactionKind.Accrual, transaction.Kind);
        Assert.Equal(shop.ProgramCode, transaction.ProgramCode);
        Assert.Equal(member, transaction.MemberNumber);
        Assert.Equal(250, transaction.Points);
        Assert.Equal(AccrualReason.Referral, transaction.AccrualReason);
        Assert.Equal("order-17", transaction.Reference);
        Assert.NotEmpty(transaction.TransactionId);
        Assert.True(transaction.Sequence > 0);
        Assert.Equal(250, await shop.BalanceAsync(member));
    }

    [Fact]
    public async Task Accrue_Purchase_EarnsPointsByEarnRuleRoundedDown()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();

        var response = await shop.Points.AccrueAsync(PurchaseAccrual(member, "USD", 1_999));

        Assert.Equal(19, response.Transaction.Points);
        Assert.Equal(19, response.BalancePoints);
        Assert.Equal(AccrualReason.Purchase, response.Transaction.AccrualReason);
    }

    [Fact]
    public async Task Accrue_PurchaseInOtherCurrency_FailsWithCurrencyMismatch()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();

        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "CURRENCY_MISMATCH",
            () => shop.Points.AccrueAsync(PurchaseAccrual(member, "EUR", 1_999)));
        Assert.Equal(0, await shop.BalanceAsync(member));
    }

    [Fact]
    public async Task Accrue_UnenrolledMember_FailsWithMemberNotFound()
    {
        var shop = await Exchange.CreatePartnerAsync();

        await RpcAssert.FailsAsync(StatusCode.NotFound, "MEMBER_NOT_FOUND",
            () => shop.Points.AccrueAsync(PointsAccrual("never-enrolled", 10)));
    }

    [Fact]
    public async Task Accrue_WithoutReason_FailsWithViolationOnReason()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();
        var request = PointsAccrual(member, 10);
        request.Reason = AccrualReason.Unspecified;

        await RpcAssert.InvalidAsync(() => shop.Points.AccrueAsync(request), "reason");
    }

    [Fact]
    public async Task Accrue_WithoutAmount_FailsWithViolationOnAmount()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();
        var request = new AccrueRequest { IdempotencyKey = NewKey(), MemberNumber = member, Reason = AccrualReason.Promotion };

        await RpcAssert.InvalidAsync(() => shop.Points.AccrueAsync(request), "amount");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(MaxPointsPerTransaction + 1)]
    public async Task Rejects_AccruedPointsOutsideOneToCap(long points)
    {
        var shop = await Exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();

        await RpcAssert.InvalidAsync(() => shop.Points.AccrueAsync(PointsAccrual(member, points)), "points");
        Assert.Equal(0, await shop.BalanceAsync(member));
    }

    [Fact]
    public async Task Accrue_PointsAtCap_Succeeds()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();

        var response = await shop.Points.AccrueAsync(PointsAccrual(member, MaxPointsPerTransaction));

        Assert.Equal(MaxPointsPerTransaction, response.BalancePoints);
    }

    [Fact]
    public async Task Accrue_PurchaseEarningMoreThanCap_FailsWithViolationOnPurchaseAmount()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();

        // 10^15 cents at 1 point per 100 cents is 10^13 points, ten times the per-transaction cap.
        await RpcAssert.InvalidAsync(
            () => shop.Points.AccrueAsync(PurchaseAccrual(member, "USD", 1_000_000_000_000_000)), "purchase.amount_minor");
        Assert.Equal(0, await shop.BalanceAsync(member));
    }

    // ---- Redeem ----

    [Fact]
    public async Task Redeem_WithEnoughPoints_DebitsMemberAndReturnsRedemption()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();
        await shop.AccrueAsync(member, 100);

        var response = await shop.Points.RedeemAsync(new RedeemRequest
        {
            IdempotencyKey = NewKey(),
            MemberNumber = member,
            Points = 40,
            Reference = "reward-9",
        });

        Assert.Equal(60, response.BalancePoints);
        Assert.Equal(TransactionKind.Redemption, response.Transaction.Kind);
        Assert.Equal(-40, response.Transaction.Points);
        Assert.Equal(member, response.Transaction.MemberNumber);
        Assert.Equal("reward-9", response.Transaction.Reference);
        Assert.Equal(60, await shop.BalanceAsync(member));
    }

    [Fact]
    public async Task Redeem_MoreThanBalance_FailsWithInsufficientPointsAndAmounts()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();
        await shop.AccrueAsync(member, 100);

        var error = await RpcAssert.FailsAsync(StatusCode.FailedPrecondition, "INSUFFICIENT_POINTS",
            () => shop.Points.RedeemAsync(Redemption(member, 150)));

        var metadata = RpcAssert.InfoOf(error)!.Metadata;
        Assert.Equal("100", metadata["balance_points"]);
        Assert.Equal("150", metadata["required_points"]);
    }

    [Fact]
    public async Task Redeem_Refused_LeavesBalanceAndTransactionsUnchanged()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();
        await shop.AccrueAsync(member, 100);

        await Assert.ThrowsAsync<RpcException>(async () => await shop.Points.RedeemAsync(Redemption(member, 101)));

        Assert.Equal(100, await shop.BalanceAsync(member));
        Assert.Single(await ListAllAsync(shop, new ListTransactionsRequest { MemberNumber = member }));
    }

    [Fact]
    public async Task Redeem_UnenrolledMember_FailsWithMemberNotFound()
    {
        var shop = await Exchange.CreatePartnerAsync();

        await RpcAssert.FailsAsync(StatusCode.NotFound, "MEMBER_NOT_FOUND", () => shop.Points.RedeemAsync(Redemption("nobody", 1)));
    }

    // ---- Reverse ----

    [Fact]
    public async Task Reverse_Accrual_RestoresBalance()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();
        await shop.AccrueAsync(member, 500);
        var accrual = await shop.AccrueAsync(member, 100);

        var response = await shop.Points.ReverseAsync(Reversal(accrual.Transaction.TransactionId));

        Assert.Equal(500, response.BalancePoints);
        Assert.Equal(500, await shop.BalanceAsync(member));
    }

    [Fact]
    public async Task Reverse_Accrual_ReturnsReversalPointingAtOriginal()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();
        var accrual = await shop.AccrueAsync(member, 100);

        var reversal = (await shop.Points.ReverseAsync(Reversal(accrual.Transaction.TransactionId))).Transaction;

        Assert.Equal(TransactionKind.Reversal, reversal.Kind);
        Assert.Equal(accrual.Transaction.TransactionId, reversal.ReversedTransactionId);
        Assert.NotEqual(accrual.Transaction.TransactionId, reversal.TransactionId);
        Assert.Equal(member, reversal.MemberNumber);
        Assert.Equal(-100, reversal.Points);
        Assert.True(reversal.Sequence > accrual.Transaction.Sequence);
    }

    [Fact]
    public async Task Reverse_Redemption_ReturnsPointsToMember()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();
        await shop.AccrueAsync(member, 100);
        var redemption = await shop.Points.RedeemAsync(Redemption(member, 30));

        var response = await shop.Points.ReverseAsync(Reversal(redemption.Transaction.TransactionId));

        Assert.Equal(30, response.Transaction.Points);
        Assert.Equal(100, response.BalancePoints);
    }

    [Fact]
    public async Task Reverse_Twice_FailsWithAlreadyReversedNamingTheReversal()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();
        var accrual = await shop.AccrueAsync(member, 100);
        var first = await shop.Points.ReverseAsync(Reversal(accrual.Transaction.TransactionId));

        var error = await RpcAssert.FailsAsync(StatusCode.FailedPrecondition, "ALREADY_REVERSED",
            () => shop.Points.ReverseAsync(Reversal(accrual.Transaction.TransactionId)));

        Assert.Equal(first.Transaction.TransactionId, RpcAssert.InfoOf(error)!.Metadata["reversal_transaction_id"]);
        Assert.Equal(0, await shop.BalanceAsync(member));
    }

    [Fact]
    public async Task Reverse_Reversal_FailsWithNotReversible()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();
        var accrual = await shop.AccrueAsync(member, 100);
        var reversal = await shop.Points.ReverseAsync(Reversal(accrual.Transaction.TransactionId));

        await RpcAssert.FailsAsync(StatusCode.FailedPrecondition, "NOT_REVERSIBLE",
            () => shop.Points.ReverseAsync(Reversal(reversal.Transaction.TransactionId)));
    }

    [Fact]
    public async Task Reverse_AccrualWhosePointsWereSpent_FailsWithInsufficientPoints()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();
        var accrual = await shop.AccrueAsync(member, 100);
        await shop.Points.RedeemAsync(Redemption(member, 60));

        var error = await RpcAssert.FailsAsync(StatusCode.FailedPrecondition, "INSUFFICIENT_POINTS",
            () => shop.Points.ReverseAsync(Reversal(accrual.Transaction.TransactionId)));

        Assert.Equal("40", RpcAssert.InfoOf(error)!.Metadata["balance_points"]);
        Assert.Equal("100", RpcAssert.InfoOf(error)!.Metadata["required_points"]);
        Assert.Equal(40, await shop.BalanceAsync(member));
    }

    [Fact]
    public async Task Reverse_UnknownTransaction_FailsWithTransactionNotFound()
    {
        var shop = await Exchange.CreatePartnerAsync();

        await RpcAssert.FailsAsync(StatusCode.NotFound, "TRANSACTION_NOT_FOUND",
            () => shop.Points.ReverseAsync(Reversal("tx_" + Guid.NewGuid().ToString("N"))));
    }

    [Fact]
    public async Task Reverse_ConversionSeenFromDestination_FailsWithNotReversible()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var air = await Exchange.CreatePartnerAsync();
        await Exchange.SetRateAsync(shop.ProgramCode, air.ProgramCode, 1, 1);
        var buyer = await shop.EnrollAsync();
        var flyer = await air.EnrollAsync();
        await shop.AccrueAsync(buyer, 100);
        var conversion = await shop.Conversions.ConvertAsync(new ConvertRequest
        {
            IdempotencyKey = NewKey(),
            SourceMemberNumber = buyer,
            DestinationProgramCode = air.ProgramCode,
            DestinationMemberNumber = flyer,
            SourcePoints = 100,
        });

        // The destination sees the conversion in its own list, but only the source may undo it.
        await RpcAssert.FailsAsync(StatusCode.FailedPrecondition, "NOT_REVERSIBLE",
            () => air.Points.ReverseAsync(Reversal(conversion.Transaction.TransactionId)));
        Assert.Equal(100, await air.BalanceAsync(flyer));
    }

    // ---- GetAccount ----

    [Fact]
    public async Task GetAccount_AfterAccrualRedemptionAndReversal_ShowsBalanceAndTotals()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();
        await shop.AccrueAsync(member, 100);
        var second = await shop.AccrueAsync(member, 50);
        var redemption = await shop.Points.RedeemAsync(Redemption(member, 30));
        await shop.Points.ReverseAsync(Reversal(second.Transaction.TransactionId));
        var lastReversal = await shop.Points.ReverseAsync(Reversal(redemption.Transaction.TransactionId));

        var account = await shop.Points.GetAccountAsync(new GetAccountRequest { MemberNumber = member });

        Assert.Equal(100, account.BalancePoints);
        Assert.Equal(shop.ProgramCode, account.Member.ProgramCode);
        Assert.Equal(member, account.Member.MemberNumber);
        Assert.Equal(150, account.Totals.AccruedPoints);
        Assert.Equal(30, account.Totals.RedeemedPoints);
        Assert.Equal(50, account.Totals.ReversalDebitPoints);
        Assert.Equal(30, account.Totals.ReversalCreditPoints);
        Assert.Equal(0, account.Totals.ConvertedInPoints);
        Assert.Equal(0, account.Totals.ConvertedOutPoints);
        Assert.Equal(lastReversal.Transaction.Sequence, account.LastSequence);
    }

    [Fact]
    public async Task GetAccount_NewMember_HasZeroBalanceTotalsAndSequence()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();

        var account = await shop.Points.GetAccountAsync(new GetAccountRequest { MemberNumber = member });

        Assert.Equal(0, account.BalancePoints);
        Assert.Equal(new AccountTotals(), account.Totals);
        Assert.Equal(0, account.LastSequence);
    }

    [Fact]
    public async Task GetAccount_UnenrolledMember_FailsWithMemberNotFound()
    {
        var shop = await Exchange.CreatePartnerAsync();

        await RpcAssert.FailsAsync(StatusCode.NotFound, "MEMBER_NOT_FOUND",
            () => shop.Points.GetAccountAsync(new GetAccountRequest { MemberNumber = "nobody" }));
    }

    // ---- ListTransactions ----

    [Fact]
    public async Task ListTransactions_OfMember_ListsNewestFirst()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();
        var first = await shop.AccrueAsync(member, 10);
        var second = await shop.Points.RedeemAsync(Redemption(member, 5));
        var third = await shop.AccrueAsync(member, 20);

        var listed = await shop.Points.ListTransactionsAsync(new ListTransactionsRequest { MemberNumber = member });

        Assert.Equal(
            [third.Transaction.TransactionId, second.Transaction.TransactionId, first.Transaction.TransactionId],
            listed.Transactions.Select(t => t.TransactionId));
        Assert.Empty(listed.NextPageToken);
    }

    [Fact]
    public async Task ListTransactions_AfterAccrue_ShowsTheTransactionAsAccrueReturnedIt()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();
        var accrual = await shop.AccrueAsync(member, 10);

        var listed = await shop.Points.ListTransactionsAsync(new ListTransactionsRequest { MemberNumber = member });

        Assert.Equal(accrual.Transaction, Assert.Single(listed.Transactions));
    }

    [Fact]
    public async Task ListTransactions_InPages_ReturnsEveryTransactionOnceInOrder()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();
        for (var i = 1; i <= 7; i++)
        {
            await shop.AccrueAsync(member, i);
        }
        var all = await shop.Points.ListTransactionsAsync(new ListTransactionsRequest { MemberNumber = member });

        var pages = new List<int>();
        var paged = new List<string>();
        var token = "";
        do
        {
            var page = await shop.Points.ListTransactionsAsync(new ListTransactionsRequest { MemberNumber = member, PageSize = 3, PageToken = token });
            pages.Add(page.Transactions.Count);
            paged.AddRange(page.Transactions.Select(t => t.TransactionId));
            token = page.NextPageToken;
        }
        while (token.Length > 0);

        Assert.Equal(7, all.Transactions.Count);
        Assert.Equal([3, 3, 1], pages);
        Assert.Equal(all.Transactions.Select(t => t.TransactionId), paged);
    }

    [Fact]
    public async Task ListTransactions_FilteredByKinds_ReturnsOnlyThoseKinds()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();
        await shop.AccrueAsync(member, 100);
        var redemption = await shop.Points.RedeemAsync(Redemption(member, 10));
        var accrual = await shop.AccrueAsync(member, 5);
        var reversal = await shop.Points.ReverseAsync(Reversal(accrual.Transaction.TransactionId));

        var listed = await shop.Points.ListTransactionsAsync(new ListTransactionsRequest
        {
            MemberNumber = member,
            Kinds = { TransactionKind.Redemption, TransactionKind.Reversal },
        });

        Assert.Equal([reversal.Transaction.TransactionId, redemption.Transaction.TransactionId],
            listed.Transactions.Select(t => t.TransactionId));
    }

    [Fact]
    public async Task ListTransactions_FilteredByTimeWindow_ReturnsTransactionsFromStartUntilBeforeEnd()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();
        for (var i = 1; i <= 3; i++)
        {
            await shop.AccrueAsync(member, i);
        }
        var listed = (await shop.Points.ListTransactionsAsync(new ListTransactionsRequest { MemberNumber = member })).Transactions;
        var (third, second) = (listed[0], listed[1]);

        var window = await shop.Points.ListTransactionsAsync(new ListTransactionsRequest
        {
            MemberNumber = member,
            StartTime = second.CreateTime,
            EndTime = third.CreateTime,
        });

        Assert.Equal(second.TransactionId, Assert.Single(window.Transactions).TransactionId);
    }

    [Fact]
    public async Task ListTransactions_WithoutMember_ListsEveryMemberOfCallersProgram()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var alice = await shop.EnrollAsync();
        var bob = await shop.EnrollAsync();
        await shop.AccrueAsync(alice, 1);
        await shop.AccrueAsync(bob, 2);

        var listed = await shop.Points.ListTransactionsAsync(new ListTransactionsRequest());

        Assert.Equal([bob, alice], listed.Transactions.Select(t => t.MemberNumber));
    }

    [Fact]
    public async Task ListTransactions_PageTokenOfAnotherFilter_FailsWithInvalidPageToken()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();
        for (var i = 1; i <= 3; i++)
        {
            await shop.AccrueAsync(member, i);
        }
        var first = await shop.Points.ListTransactionsAsync(new ListTransactionsRequest { MemberNumber = member, PageSize = 2 });
        Assert.NotEmpty(first.NextPageToken);

        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "INVALID_PAGE_TOKEN",
            () => shop.Points.ListTransactionsAsync(new ListTransactionsRequest
            {
                MemberNumber = member,
                Kinds = { TransactionKind.Accrual },
                PageSize = 2,
                PageToken = first.NextPageToken,
            }));
    }

    [Theory]
    [InlineData("garbage!")]
    [InlineData("bm90LWEtdG9rZW4")]
    [InlineData("MDAwMDAwMDAwMDAwMDAwMDox")]
    public async Task Rejects_MalformedPageToken(string pageToken)
    {
        var shop = await Exchange.CreatePartnerAsync();

        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "INVALID_PAGE_TOKEN",
            () => shop.Points.ListTransactionsAsync(new ListTransactionsRequest { PageToken = pageToken }));
    }

    [Theory]
    [InlineData(501)]
    [InlineData(-1)]
    public async Task Rejects_PageSizeOutsideZeroTo500(int pageSize)
    {
        var shop = await Exchange.CreatePartnerAsync();

        await RpcAssert.InvalidAsync(() => shop.Points.ListTransactionsAsync(new ListTransactionsRequest { PageSize = pageSize }), "page_size");
    }

    [Fact]
    public async Task ListTransactions_PageSize500_IsAccepted()
    {
        var shop = await Exchange.CreatePartnerAsync();

        var listed = await shop.Points.ListTransactionsAsync(new ListTransactionsRequest { PageSize = 500 });

        Assert.Empty(listed.Transactions);
    }

    [Fact]
    public async Task ListTransactions_UnenrolledMember_FailsWithMemberNotFound()
    {
        var shop = await Exchange.CreatePartnerAsync();

        await RpcAssert.FailsAsync(StatusCode.NotFound, "MEMBER_NOT_FOUND",
            () => shop.Points.ListTransactionsAsync(new ListTransactionsRequest { MemberNumber = "nobody" }));
    }

    // ---- Suspended partners ----

    [Fact]
    public async Task Accrue_PartnerSuspended_FailsWithPartnerSuspendedOnCallerSide()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();
        await SuspendAsync(shop.ProgramCode);

        var error = await RpcAssert.FailsAsync(StatusCode.FailedPrecondition, "PARTNER_SUSPENDED",
            () => shop.Points.AccrueAsync(PointsAccrual(member, 10)));

        Assert.Equal("caller", RpcAssert.InfoOf(error)!.Metadata["side"]);
    }

    [Fact]
    public async Task Redeem_PartnerSuspended_FailsWithPartnerSuspended()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();
        await shop.AccrueAsync(member, 100);
        await SuspendAsync(shop.ProgramCode);

        await RpcAssert.FailsAsync(StatusCode.FailedPrecondition, "PARTNER_SUSPENDED",
            () => shop.Points.RedeemAsync(Redemption(member, 10)));
        await ResumeAsync(shop.ProgramCode);
        Assert.Equal(100, await shop.BalanceAsync(member));
    }

    [Fact]
    public async Task EnrollMember_PartnerSuspended_FailsWithPartnerSuspended()
    {
        var shop = await Exchange.CreatePartnerAsync();
        await SuspendAsync(shop.ProgramCode);

        await RpcAssert.FailsAsync(StatusCode.FailedPrecondition, "PARTNER_SUSPENDED",
            () => shop.Points.EnrollMemberAsync(new EnrollMemberRequest { IdempotencyKey = NewKey(), MemberNumber = "late" }));
    }

    [Fact]
    public async Task Reverse_PartnerSuspended_FailsWithPartnerSuspended()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();
        var accrual = await shop.AccrueAsync(member, 100);
        await SuspendAsync(shop.ProgramCode);

        await RpcAssert.FailsAsync(StatusCode.FailedPrecondition, "PARTNER_SUSPENDED",
            () => shop.Points.ReverseAsync(Reversal(accrual.Transaction.TransactionId)));
    }

    [Fact]
    public async Task GetAccount_PartnerSuspended_StillReadsBalance()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();
        await shop.AccrueAsync(member, 70);
        await SuspendAsync(shop.ProgramCode);

        Assert.Equal(70, await shop.BalanceAsync(member));
        Assert.Single((await shop.Points.ListTransactionsAsync(new ListTransactionsRequest { MemberNumber = member })).Transactions);
    }

    [Fact]
    public async Task Accrue_AfterResumePartner_Succeeds()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();
        await SuspendAsync(shop.ProgramCode);
        await ResumeAsync(shop.ProgramCode);

        var response = await shop.Points.AccrueAsync(PointsAccrual(member, 10));

        Assert.Equal(10, response.BalancePoints);
    }

    // ---- Helpers ----

    private static string NewKey() => Guid.NewGuid().ToString("N");

    private static AccrueRequest PointsAccrual(string member, long points) =>
        new() { IdempotencyKey = NewKey(), MemberNumber = member, Points = points, Reason = AccrualReason.Promotion };

    private static AccrueRequest PurchaseAccrual(string member, string currency, long amountMinor) => new()
    {
        IdempotencyKey = NewKey(),
        MemberNumber = member,
        Purchase = new Money { CurrencyCode = currency, AmountMinor = amountMinor },
        Reason = AccrualReason.Purchase,
    };

    private static RedeemRequest Redemption(string member, long points) =>
        new() { IdempotencyKey = NewKey(), MemberNumber = member, Points = points };

    private static ReverseRequest Reversal(string transactionId) =>
        new() { IdempotencyKey = NewKey(), TransactionId = transactionId };

    private async Task SuspendAsync(string programCode) =>
        await Exchange.Admin().SuspendPartnerAsync(new SuspendPartnerRequest { IdempotencyKey = NewKey(), ProgramCode = programCode });

    private async Task ResumeAsync(string programCode) =>
        await Exchange.Admin().ResumePartnerAsync(new ResumePartnerRequest { IdempotencyKey = NewKey(), ProgramCode = programCode });

    private static async Task<List<Transaction>> ListAllAsync(TestPartner partner, ListTransactionsRequest request)
    {
        var all = new List<Transaction>();
        do
        {
            var page = await partner.Points.ListTransactionsAsync(request);
            all.AddRange(page.Transactions);
            request = request.Clone();
            request.PageToken = page.NextPageToken;
        }
        while (request.PageToken.Length > 0);
        return all;
    }
}
