using System.Globalization;
using Google.Rpc;
using Grpc.Core;
using PartnerExchange.Client;
using PartnerExchange.Testing;
using PartnerExchange.V1;
using DomainEventKind = PartnerExchange.Domain.Ledger.EventKind;

namespace PartnerExchange.Server.Tests.Events;

/// <summary>
/// EventsService.StreamEvents over the real server: what each movement reports, ordering and resuming by cursor,
/// isolation between partners, and who may stream which program.
/// </summary>
public sealed class EventStreamTests(EventStreamExchange fixture) : IntegrationTest(fixture.Exchange), IClassFixture<EventStreamExchange>
{
    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        LedgerInvariants.AssertHold(Exchange.DatabasePath);
    }

    [Fact]
    public async Task StreamEvents_AccrueAndRedeem_ArriveInCursorOrderWithTheirFields()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();
        var accrued = await shop.AccrueAsync(member, 700);
        var redeemed = await shop.Points.RedeemAsync(new RedeemRequest { IdempotencyKey = NewKey(), MemberNumber = member, Points = 200 });

        using var stream = EventConsumer.Open(Exchange, shop.Key, new StreamEventsRequest());
        var events = await stream.EventsAsync(2);

        Assert.True(events[0].Cursor > 0 && events[1].Cursor > events[0].Cursor);
        AssertMovement(events[0], EventKind.PointsAccrued, shop.ProgramCode, member, 700, 700, accrued.Transaction.TransactionId);
        AssertMovement(events[1], EventKind.PointsRedeemed, shop.ProgramCode, member, -200, 500, redeemed.Transaction.TransactionId);
        Assert.All(events, e => Assert.Equal("", e.CounterpartyProgramCode));
        Assert.All(events, e => Assert.True(e.OccurTime.ToDateTimeOffset() > DateTimeOffset.UnixEpoch));
    }

    [Fact]
    public async Task StreamEvents_OperatorAdjustment_ArrivesAsPointsAdjusted()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();
        await shop.AccrueAsync(member, 700);
        var adjusted = await Exchange.Admin().AdjustBalanceAsync(new AdjustBalanceRequest
        {
            IdempotencyKey = NewKey(), ProgramCode = shop.ProgramCode, MemberNumber = member, Points = -200, Reason = "duplicate accrual",
        });

        using var stream = EventConsumer.Open(Exchange, shop.Key, new StreamEventsRequest());
        var events = await stream.EventsAsync(2);

        AssertMovement(events[1], EventKind.PointsAdjusted, shop.ProgramCode, member, -200, 500, adjusted.Transaction.TransactionId);
    }

    [Fact]
    public async Task StreamEvents_KeyRevokedWhileTheStreamIsOpen_EndsItWithApiKeyInvalid()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var created = await Exchange.CreatePartnerKeyAsync(shop.ProgramCode, "feed");
        using var stream = EventConsumer.Open(Exchange, created.Secret, new StreamEventsRequest { FromNow = true });
        await stream.AdmittedAsync();

        await Exchange.Admin().RevokeApiKeyAsync(new RevokeApiKeyRequest { IdempotencyKey = NewKey(), KeyId = created.ApiKey.KeyId });

        // Before the revocation the stream would only send a heartbeat, 15 s on.
        await RpcAssert.FailsAsync(StatusCode.Unauthenticated, "API_KEY_INVALID", stream.NextAsync);
    }

    [Fact]
    public async Task StreamEvents_Conversion_SourceSeesConvertedOutAndDestinationConvertedInForItsOwnMember()
    {
        var (shop, air) = (await Exchange.CreatePartnerAsync(), await Exchange.CreatePartnerAsync());
        var rate = await Exchange.SetExchangeRateAsync(ConversionRequests.Rate(shop, air, 1000, 800, fee: 10));
        var (buyer, flyer) = (await shop.EnrollAsync(), await air.EnrollAsync());
        await shop.AccrueAsync(buyer, 5_000);
        var converted = await shop.Conversions.ConvertAsync(ConversionRequests.Convert(buyer, air, flyer, 1_000));

        using var shopStream = EventConsumer.Open(Exchange, shop.Key, new StreamEventsRequest());
        using var airStream = EventConsumer.Open(Exchange, air.Key, new StreamEventsRequest());
        var shopEvents = await shopStream.EventsAsync(3);
        var airEvents = await airStream.EventsAsync(2);

        var transactionId = converted.Transaction.TransactionId;
        var outgoing = shopEvents[2];
        AssertMovement(outgoing, EventKind.PointsConvertedOut, shop.ProgramCode, buyer, -1_010, 3_990, transactionId);
        Assert.Equal((air.ProgramCode, rate.Version), (outgoing.CounterpartyProgramCode, outgoing.RateVersion));
        var incoming = airEvents[1];
        AssertMovement(incoming, EventKind.PointsConvertedIn, air.ProgramCode, flyer, 800, 800, transactionId);
        Assert.Equal((shop.ProgramCode, rate.Version), (incoming.CounterpartyProgramCode, incoming.RateVersion));
        Assert.DoesNotContain(airEvents, e => e.ToString().Contains(buyer, StringComparison.Ordinal));
    }

    [Fact]
    public async Task StreamEvents_Reversal_ReportsTheReversalAndTheTransactionItUndid()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();
        var accrued = await shop.AccrueAsync(member, 500);
        var reversed = await shop.Points.ReverseAsync(new ReverseRequest { IdempotencyKey = NewKey(), TransactionId = accrued.Transaction.TransactionId });

        using var stream = EventConsumer.Open(Exchange, shop.Key, new StreamEventsRequest());
        var reversal = (await stream.EventsAsync(2))[1];

        AssertMovement(reversal, EventKind.PointsReversed, shop.ProgramCode, member, -500, 0, reversed.Transaction.TransactionId);
        Assert.Equal(accrued.Transaction.TransactionId, reversal.ReversesTransactionId);
    }

    [Fact]
    public async Task StreamEvents_RateChange_ReachesBothPrograms()
    {
        var (shop, air) = (await Exchange.CreatePartnerAsync(), await Exchange.CreatePartnerAsync());
        using var shopStream = EventConsumer.Open(Exchange, shop.Key, new StreamEventsRequest { FromNow = true });
        using var airStream = EventConsumer.Open(Exchange, air.Key, new StreamEventsRequest { FromNow = true });
        await Task.WhenAll(shopStream.AdmittedAsync(), airStream.AdmittedAsync());

        var rate = await Exchange.SetExchangeRateAsync(ConversionRequests.Rate(shop, air, 1000, 800));

        foreach (var (stream, program) in new[] { (shopStream, shop.ProgramCode), (airStream, air.ProgramCode) })
        {
            var changed = await stream.NextEventAsync();
            Assert.Equal((EventKind.ExchangeRateChanged, program), (changed.Kind, changed.ProgramCode));
            Assert.Equal((shop.ProgramCode, air.ProgramCode, rate.Version), (changed.FromProgramCode, changed.ToProgramCode, changed.RateVersion));
            Assert.Equal(("", 0L, 0L, ""), (changed.MemberNumber, changed.Points, changed.BalancePoints, changed.TransactionId));
        }
    }

    [Fact]
    public async Task StreamEvents_ResumedAfterDisconnectMidBurst_LosesNothingAndRepeatsNothing()
    {
        const int burst = 120;
        var shop = await Exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();
        var firstPart = new List<Event>();
        using (var stream = EventConsumer.Open(Exchange, shop.Key, new StreamEventsRequest()))
        {
            await stream.AdmittedAsync();
            var writing = AccrueOneByOneAsync(shop, member, burst);
            firstPart.AddRange(await stream.EventsAsync(burst / 3));
            // Leaving the using block cancels the call mid-burst, as a consumer that crashes would.
            await writing;
        }

        using var resumed = EventConsumer.Open(Exchange, shop.Key, new StreamEventsRequest { AfterCursor = firstPart[^1].Cursor });
        var secondPart = await resumed.EventsAsync(burst - firstPart.Count);

        var all = firstPart.Concat(secondPart).ToList();
        Assert.Equal(Enumerable.Range(1, burst).Select(i => (long)i), all.Select(e => e.Points));
        AssertStrictlyIncreasing(all);
        Assert.Equal(burst, all.Select(e => e.TransactionId).Distinct().Count());
    }

    [Fact]
    public async Task StreamEvents_ThousandEventsWrittenWhileDisconnected_AllArriveInOrderOnResume()
    {
        const int count = 1_000;
        var shop = await Exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();
        await shop.AccrueAsync(member, 1);
        long lastSeen;
        using (var stream = EventConsumer.Open(Exchange, shop.Key, new StreamEventsRequest()))
        {
            lastSeen = (await stream.NextEventAsync()).Cursor;
        }

        var transactionIds = await AccrueConcurrentlyAsync(shop, member, count);
        using var resumed = EventConsumer.Open(Exchange, shop.Key, new StreamEventsRequest { AfterCursor = lastSeen });
        var events = await resumed.EventsAsync(count);

        AssertStrictlyIncreasing(events);
        Assert.Equal(transactionIds.Order(StringComparer.Ordinal), events.Select(e => e.TransactionId).Order(StringComparer.Ordinal));
        // Each balance follows from the one before: the events come in exactly the order the ledger committed them.
        var balance = 1L;
        foreach (var e in events)
        {
            balance += e.Points;
            Assert.Equal(balance, e.BalancePoints);
        }
    }

    [Fact]
    public async Task StreamEvents_ConsumerNotReadingDuringABurst_GetsEveryEventInOrderOnceItReads()
    {
        const int count = 1_000;
        var shop = await Exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();
        using var stream = EventConsumer.Open(Exchange, shop.Key, new StreamEventsRequest { FromNow = true });
        await stream.AdmittedAsync();

        // The consumer reads nothing while the burst commits: the server's writes wait on HTTP/2 flow control.
        var transactionIds = await AccrueConcurrentlyAsync(shop, member, count);
        var events = await stream.EventsAsync(count);

        AssertStrictlyIncreasing(events);
        Assert.Equal(transactionIds.Order(StringComparer.Ordinal), events.Select(e => e.TransactionId).Order(StringComparer.Ordinal));
        Assert.Equal(count, events[^1].BalancePoints);
    }

    [Fact]
    public async Task StreamEvents_TwoPartnersWritingInterleaved_EachReceivesOnlyItsOwnEvents()
    {
        const int each = 40;
        var (shop, air) = (await Exchange.CreatePartnerAsync(), await Exchange.CreatePartnerAsync());
        var (buyer, flyer) = (await shop.EnrollAsync(), await air.EnrollAsync());
        using var shopStream = EventConsumer.Open(Exchange, shop.Key, new StreamEventsRequest());
        using var airStream = EventConsumer.Open(Exchange, air.Key, new StreamEventsRequest());

        var shopIds = new List<string>();
        var airIds = new List<string>();
        for (var i = 0; i < each; i++)
        {
            shopIds.Add((await shop.AccrueAsync(buyer, 10)).Transaction.TransactionId);
            airIds.Add((await air.AccrueAsync(flyer, 20)).Transaction.TransactionId);
        }
        var shopEvents = await shopStream.EventsAsync(each);
        var airEvents = await airStream.EventsAsync(each);

        Assert.Equal(shopIds, shopEvents.Select(e => e.TransactionId));
        Assert.Equal(airIds, airEvents.Select(e => e.TransactionId));
        Assert.All(shopEvents, e => Assert.Equal((shop.ProgramCode, buyer), (e.ProgramCode, e.MemberNumber)));
        Assert.All(airEvents, e => Assert.Equal((air.ProgramCode, flyer), (e.ProgramCode, e.MemberNumber)));
    }

    [Fact]
    public async Task StreamEvents_FromNow_SkipsHistory()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();
        await shop.AccrueAsync(member, 5);
        using var stream = EventConsumer.Open(Exchange, shop.Key, new StreamEventsRequest { AfterCursor = 0, FromNow = true });
        await stream.AdmittedAsync();

        var later = await shop.AccrueAsync(member, 6);

        var first = await stream.NextEventAsync();
        Assert.Equal((later.Transaction.TransactionId, 6L, 11L), (first.TransactionId, first.Points, first.BalancePoints));
    }

    [Fact]
    public async Task StreamEvents_PartnerNamingItsOwnProgram_StreamsIt()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();
        await shop.AccrueAsync(member, 5);

        using var stream = EventConsumer.Open(Exchange, shop.Key, new StreamEventsRequest { ProgramCode = shop.ProgramCode });
        var first = await stream.NextEventAsync();

        Assert.Equal((shop.ProgramCode, member, 5L), (first.ProgramCode, first.MemberNumber, first.Points));
    }

    [Fact]
    public async Task StreamEvents_PartnerNamingAnotherProgram_IsOperatorKeyRequired()
    {
        var (shop, air) = (await Exchange.CreatePartnerAsync(), await Exchange.CreatePartnerAsync());

        await RpcAssert.FailsAsync(StatusCode.PermissionDenied, "OPERATOR_KEY_REQUIRED",
            () => FirstItemAsync(shop.Key, new StreamEventsRequest { ProgramCode = air.ProgramCode }));
    }

    [Fact]
    public async Task StreamEvents_NegativeAfterCursor_IsInvalidArgumentOnAfterCursor()
    {
        var shop = await Exchange.CreatePartnerAsync();

        var error = await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "VALIDATION_FAILED",
            () => FirstItemAsync(shop.Key, new StreamEventsRequest { AfterCursor = -1 }));

        Assert.Equal(["after_cursor"], ViolatedFields(error));
    }

    [Fact]
    public async Task StreamEvents_OperatorNamingNoProgram_IsPartnerNotFound() =>
        await RpcAssert.FailsAsync(StatusCode.NotFound, "PARTNER_NOT_FOUND",
            () => FirstItemAsync(Exchange.OperatorKey, new StreamEventsRequest()));

    [Fact]
    public async Task StreamEvents_OperatorNamingUnknownProgram_IsPartnerNotFound() =>
        await RpcAssert.FailsAsync(StatusCode.NotFound, "PARTNER_NOT_FOUND",
            () => FirstItemAsync(Exchange.OperatorKey, new StreamEventsRequest { ProgramCode = Exchange.NewProgramCode("NONE") }));

    [Fact]
    public async Task StreamEvents_OperatorNamingMalformedProgram_IsInvalidArgumentOnProgramCode()
    {
        var error = await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "VALIDATION_FAILED",
            () => FirstItemAsync(Exchange.OperatorKey, new StreamEventsRequest { ProgramCode = "not a code" }));

        Assert.Equal(["program_code"], ViolatedFields(error));
    }

    [Fact]
    public async Task StreamEvents_OperatorNamingProgram_StreamsThatProgramsEvents()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();
        var accrued = await shop.AccrueAsync(member, 42);

        using var stream = EventConsumer.Open(Exchange, Exchange.OperatorKey, new StreamEventsRequest { ProgramCode = shop.ProgramCode });

        AssertMovement(await stream.NextEventAsync(), EventKind.PointsAccrued, shop.ProgramCode, member, 42, 42, accrued.Transaction.TransactionId);
    }

    [Fact]
    public async Task StreamEvents_DeadlinePasses_EndsWithDeadlineExceeded()
    {
        var shop = await Exchange.CreatePartnerAsync();
        using var stream = EventConsumer.Open(Exchange, shop.Key, new StreamEventsRequest { FromNow = true }, TimeSpan.FromMilliseconds(500));

        var error = await Assert.ThrowsAsync<RpcException>(stream.NextAsync);

        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
    }

    [Fact]
    public void EventKind_DomainAndProto_AreNumberedAndNamedAlike()
    {
        var domain = Enum.GetValues<DomainEventKind>().Select(k => ((int)k, k.ToString()));
        var proto = Enum.GetValues<EventKind>().Where(k => k != EventKind.Unspecified).Select(k => ((int)k, k.ToString()));

        Assert.Equal(proto, domain);
    }

    private Task<StreamEventsResponse> FirstItemAsync(string key, StreamEventsRequest request) =>
        EventConsumer.FirstItemAsync(Exchange, key, request);

    private static List<string> ViolatedFields(RpcException error) =>
        error.GetRpcStatus()?.GetDetail<BadRequest>()?.FieldViolations.Select(v => v.Field).ToList() ?? [];

    private static void AssertMovement(
        Event e, EventKind kind, string program, string member, long points, long balance, string transactionId) =>
        Assert.Equal((kind, program, member, points, balance, transactionId),
            (e.Kind, e.ProgramCode, e.MemberNumber, e.Points, e.BalancePoints, e.TransactionId));

    private static void AssertStrictlyIncreasing(List<Event> events)
    {
        for (var i = 1; i < events.Count; i++)
        {
            Assert.True(events[i].Cursor > events[i - 1].Cursor, $"cursor {events[i].Cursor} follows {events[i - 1].Cursor}");
        }
    }

    /// <summary>Accrues 1, 2, … <paramref name="count"/> points, each after the one before was acknowledged.</summary>
    private static async Task AccrueOneByOneAsync(TestPartner partner, string member, int count)
    {
        for (var points = 1; points <= count; points++)
        {
            await partner.AccrueAsync(member, points);
        }
    }

    /// <summary>Accrues 1 point <paramref name="count"/> times, a few calls at a time, and returns the transaction ids.</summary>
    private static async Task<List<string>> AccrueConcurrentlyAsync(TestPartner partner, string member, int count)
    {
        var ids = new List<string>(count);
        foreach (var chunk in Enumerable.Range(0, count).Chunk(25))
        {
            var responses = await Task.WhenAll(chunk.Select(_ => partner.AccrueAsync(member, 1)));
            ids.AddRange(responses.Select(r => r.Transaction.TransactionId));
        }
        return ids;
    }

    private static string NewKey() => Guid.NewGuid().ToString("N");
}

/// <summary>The stream cap, heartbeats and the end of a stream, on an exchange with a cap of two and short heartbeats.</summary>
public sealed class EventStreamLimitTests(SmallStreamCapExchange fixture) : IntegrationTest(fixture.Exchange), IClassFixture<SmallStreamCapExchange>
{
    [Fact]
    public async Task StreamEvents_OverTheCap_IsTooManyStreamsAndAdmitsAgainAfterOneCloses()
    {
        var shop = await PartnerWithOneEventAsync();
        using var first = await OpenAdmittedAsync(shop.Key);
        using var second = await OpenAdmittedAsync(shop.Key);

        var error = await RpcAssert.FailsAsync(StatusCode.ResourceExhausted, "TOO_MANY_STREAMS",
            () => EventConsumer.FirstItemAsync(Exchange, shop.Key, new StreamEventsRequest()));
        first.Dispose();
        using var third = await OpenAdmittedAsync(shop.Key);

        Assert.Equal(SmallStreamCapExchange.MaxStreams.ToString(CultureInfo.InvariantCulture), RpcAssert.InfoOf(error)!.Metadata["max_streams"]);
        Assert.NotNull(error.GetRpcStatus()?.GetDetail<RetryInfo>()?.RetryDelay);
    }

    [Fact]
    public async Task StreamEvents_KeyRevokedWithoutAnAnnouncement_EndsAtTheNextHeartbeat()
    {
        var shop = await PartnerWithOneEventAsync();
        var created = await Exchange.CreatePartnerKeyAsync(shop.ProgramCode, "feed");
        using var stream = await OpenAdmittedAsync(created.Secret);

        // As another process would revoke it while Redis, which carries the announcement, is down.
        using (var ledger = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Exchange.DatabasePath};Pooling=False"))
        {
            ledger.Open();
            using var revoke = ledger.CreateCommand();
            revoke.CommandText = "UPDATE api_keys SET revoked_at_micros = 1 WHERE key_id = $id";
            revoke.Parameters.AddWithValue("$id", created.ApiKey.KeyId);
            Assert.Equal(1, revoke.ExecuteNonQuery());
        }

        // Heartbeats come every 200 ms here; a stream that never checked would still be sending them after 100.
        await RpcAssert.FailsAsync(StatusCode.Unauthenticated, "API_KEY_INVALID", async () =>
        {
            for (var item = 0; item < 100; item++)
            {
                await stream.NextAsync();
            }
        });
    }

    [Fact]
    public async Task StreamEvents_AnotherPartnerAtItsCap_DoesNotLimitThisPartner()
    {
        var (busy, other) = (await PartnerWithOneEventAsync(), await PartnerWithOneEventAsync());
        using var first = await OpenAdmittedAsync(busy.Key);
        using var second = await OpenAdmittedAsync(busy.Key);

        using var third = EventConsumer.Open(Exchange, other.Key, new StreamEventsRequest());
        using var fourth = EventConsumer.Open(Exchange, other.Key, new StreamEventsRequest());

        Assert.Equal(other.ProgramCode, (await third.NextEventAsync()).ProgramCode);
        Assert.Equal(other.ProgramCode, (await fourth.NextEventAsync()).ProgramCode);
    }

    [Fact]
    public async Task StreamEvents_OperatorTailingAPartnerAtItsCap_IsAdmittedFromItsOwnPool()
    {
        var shop = await PartnerWithOneEventAsync();
        using var first = await OpenAdmittedAsync(shop.Key);
        using var second = await OpenAdmittedAsync(shop.Key);

        using var tail = EventConsumer.Open(Exchange, Exchange.OperatorKey, new StreamEventsRequest { ProgramCode = shop.ProgramCode });

        Assert.Equal(shop.ProgramCode, (await tail.NextEventAsync()).ProgramCode);
    }

    [Fact]
    public async Task StreamEvents_Idle_SendsHeartbeatsCarryingItsCursor()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();
        await shop.AccrueAsync(member, 3);
        using var stream = EventConsumer.Open(Exchange, shop.Key, new StreamEventsRequest());
        var delivered = await stream.NextEventAsync();

        var heartbeat = await stream.NextAsync();

        Assert.Equal(StreamEventsResponse.ItemOneofCase.Heartbeat, heartbeat.ItemCase);
        Assert.Equal(delivered.Cursor, heartbeat.Heartbeat.Cursor);
        Assert.True(heartbeat.Heartbeat.ServerTime.ToDateTimeOffset() >= delivered.OccurTime.ToDateTimeOffset());
    }

    [Fact]
    public async Task StreamEvents_IdleFromNow_HeartbeatCarriesTheNewestCursor()
    {
        var shop = await PartnerWithOneEventAsync();
        long newest;
        using (var history = EventConsumer.Open(Exchange, shop.Key, new StreamEventsRequest()))
        {
            newest = (await history.NextEventAsync()).Cursor;
        }
        using var stream = EventConsumer.Open(Exchange, shop.Key, new StreamEventsRequest { FromNow = true });

        var first = await stream.NextAsync();

        Assert.Equal((StreamEventsResponse.ItemOneofCase.Heartbeat, newest), (first.ItemCase, first.Heartbeat.Cursor));
    }

    [Fact]
    public async Task StreamEvents_ClientCancels_EndsTheStreamAndFreesItsSlot()
    {
        var shop = await PartnerWithOneEventAsync();
        using var cancel = new CancellationTokenSource();
        var streams = new[]
        {
            await OpenAdmittedAsync(shop.Key, cancel.Token),
            await OpenAdmittedAsync(shop.Key, cancel.Token),
        };

        await cancel.CancelAsync();

        foreach (var stream in streams)
        {
            var error = await Assert.ThrowsAsync<RpcException>(stream.NextAsync);
            Assert.Equal(StatusCode.Cancelled, error.StatusCode);
        }
        using var again = await OpenAdmittedAsync(shop.Key);
        using var andAgain = await OpenAdmittedAsync(shop.Key);
        Array.ForEach(streams, s => s.Dispose());
    }

    private async Task<TestPartner> PartnerWithOneEventAsync()
    {
        var partner = await Exchange.CreatePartnerAsync();
        await partner.AccrueAsync(await partner.EnrollAsync(), 1);
        return partner;
    }

    /// <summary>
    /// Opens a stream from the first event and waits for that event, which proves the stream was admitted. A stream
    /// refused TOO_MANY_STREAMS is retried after the server's RetryInfo delay, as a client should: a slot freed by
    /// a cancelled stream is released when the server notices, which it does a moment after the client cancels.
    /// </summary>
    private async Task<EventConsumer> OpenAdmittedAsync(string key, CancellationToken cancellationToken = default)
    {
        var giveUp = DateTime.UtcNow + EventConsumer.Patience;
        while (true)
        {
            var stream = EventConsumer.Open(Exchange, key, new StreamEventsRequest(), cancellationToken: cancellationToken);
            try
            {
                await stream.NextEventAsync();
                return stream;
            }
            catch (RpcException error) when (RpcAssert.ReasonOf(error) == "TOO_MANY_STREAMS" && DateTime.UtcNow < giveUp)
            {
                stream.Dispose();
                await Task.Delay(error.GetRpcStatus()!.GetDetail<RetryInfo>().RetryDelay.ToTimeSpan(), CancellationToken.None);
            }
        }
    }
}

/// <summary>A stopping server ends its open streams so their consumers resume elsewhere.</summary>
public sealed class EventStreamShutdownTests
{
    [Fact]
    public async Task StreamEvents_ServerStops_EndsTheStreamWithExchangeBusy()
    {
        var exchange = new RunningExchange();
        await exchange.InitializeAsync();
        var partner = await exchange.CreatePartnerAsync();
        // A channel of the test's own: the fixture's channel is disposed first on stop, which would cancel the call.
        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress(exchange.Address);
        using var call = new EventsService.EventsServiceClient(channel)
            .StreamEvents(new StreamEventsRequest { FromNow = true }, RunningExchange.Bearer(partner.Key));
        await call.ResponseHeadersAsync;

        var stopping = exchange.DisposeAsync();

        using var patience = new CancellationTokenSource(EventConsumer.Patience);
        var error = await RpcAssert.FailsAsync(StatusCode.Unavailable, "EXCHANGE_BUSY", () => call.ResponseStream.MoveNext(patience.Token));
        await stopping;
        Assert.NotNull(error.GetRpcStatus()?.GetDetail<RetryInfo>());
        Assert.Empty(exchange.ErrorLogs);
    }
}

/// <summary>Expiry's events on the stream, on a fake clock: the policy change, the warning and the expiry itself.</summary>
public sealed class EventStreamExpiryTests(ClockedExchange fixture) : IntegrationTest(fixture.Exchange), IClassFixture<ClockedExchange>
{
    [Fact]
    public async Task StreamEvents_PolicyWarningAndExpiry_ArriveWithTheirFields()
    {
        var shop = await Exchange.CreatePartnerAsync();
        await Exchange.Admin().UpdatePartnerAsync(new UpdatePartnerRequest
        {
            IdempotencyKey = Guid.NewGuid().ToString("N"),
            ProgramCode = shop.ProgramCode,
            ExpiryPolicy = new ExpiryPolicy { Kind = ExpiryPolicyKind.LotLifetime, Months = 1 },
        });
        var member = await shop.EnrollAsync();
        await shop.AccrueAsync(member, 100);
        using var stream = EventConsumer.Open(Exchange, shop.Key, new StreamEventsRequest());
        var (policy, accrued) = (await stream.NextEventAsync(), await stream.NextEventAsync());

        // The points expire a month after the accrual (28 days from the fixture's 31 January): first within the
        // 30-day warning horizon, then past the expiry.
        fixture.Clock.Advance(TimeSpan.FromDays(20));
        await RunExpiryAsync(shop);
        var warning = await stream.NextEventAsync();
        fixture.Clock.Advance(TimeSpan.FromDays(10));
        await RunExpiryAsync(shop);
        var expired = await NextOfKindAsync(stream, EventKind.PointsExpired);

        Assert.Equal((EventKind.ExpiryPolicyChanged, "", 0L), (policy.Kind, policy.MemberNumber, policy.Points));
        Assert.Equal(EventKind.PointsAccrued, accrued.Kind);
        Assert.Equal((EventKind.ExpiryWarning, member, 100L), (warning.Kind, warning.MemberNumber, warning.Points));
        Assert.True(warning.WarningDays > 0 && warning.ExpireTime.ToDateTimeOffset() > warning.OccurTime.ToDateTimeOffset());
        Assert.Equal((member, -100L, 0L), (expired.MemberNumber, expired.Points, expired.BalancePoints));
        Assert.NotEqual("", expired.TransactionId);
    }

    private Task<RunExpiryResponse> RunExpiryAsync(TestPartner partner) =>
        Exchange.Admin().RunExpiryAsync(new RunExpiryRequest
        {
            IdempotencyKey = Guid.NewGuid().ToString("N"),
            ProgramCode = partner.ProgramCode,
            AsOfTime = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(fixture.Clock.GetUtcNow()),
        }).ResponseAsync;

    /// <summary>The next event of <paramref name="kind"/>; only expiry warnings may come before it.</summary>
    private static async Task<Event> NextOfKindAsync(EventConsumer stream, EventKind kind)
    {
        while (true)
        {
            var next = await stream.NextEventAsync();
            if (next.Kind == kind)
            {
                return next;
            }
            Assert.Equal(EventKind.ExpiryWarning, next.Kind);
        }
    }
}

/// <summary>The typed client's FollowEventsAsync, which resumes by cursor across reconnects.</summary>
public sealed class EventFollowerTests
{
    [Fact]
    public async Task FollowEventsAsync_ServerStopsMidStream_ResumesOnAnotherServerYieldingEachEventOnce()
    {
        await using var servers = await TwoServers.StartAsync();
        var onFirst = await servers.First.CreatePartnerAsync();
        var onSecond = onFirst with { Exchange = servers.Second };
        var member = await onFirst.EnrollAsync();
        using var handler = new SwitchableHandler(servers.First.Address);
        using var client = new PartnerExchangeClient(new PartnerExchangeClientOptions { Address = servers.First.Address, ApiKey = onFirst.Key }, handler);
        using var patience = new CancellationTokenSource(EventConsumer.Patience);
        var events = client.FollowEventsAsync(cancellationToken: patience.Token).GetAsyncEnumerator(patience.Token);
        await using var _ = events;
        var seen = new List<Event>();

        await AccrueAsync(onFirst, member, 1, 30);
        await ReadUntilAsync(events, seen, 10);
        handler.Target = servers.Second.Address;
        await servers.StopFirstAsync();
        await AccrueAsync(onSecond, member, 31, 60);
        await ReadUntilAsync(events, seen, 60);

        Assert.Equal(Enumerable.Range(1, 60).Select(i => (long)i), seen.Select(e => e.Points));
        Assert.Equal(seen.Select(e => e.Cursor).Order(), seen.Select(e => e.Cursor).Distinct());
    }

    private static async Task AccrueAsync(TestPartner partner, string member, int from, int to)
    {
        for (var points = from; points <= to; points++)
        {
            await partner.AccrueAsync(member, points);
        }
    }

    private static async Task ReadUntilAsync(IAsyncEnumerator<Event> events, List<Event> seen, int count)
    {
        while (seen.Count < count)
        {
            Assert.True(await events.MoveNextAsync(), "The event enumeration ended.");
            seen.Add(events.Current);
        }
    }

    /// <summary>Two servers on one ledger file; the first can be stopped while the second goes on.</summary>
    private sealed class TwoServers : IAsyncDisposable
    {
        private bool _firstStopped;

        // The ledger lives in the second's folder, which stays when the first stops and deletes its own.
        private TwoServers() => First = new RunningExchange { DatabasePath = Second.DatabasePath, OperatorKey = Second.OperatorKey };

        public RunningExchange First { get; }

        public RunningExchange Second { get; } = new();

        public static async Task<TwoServers> StartAsync()
        {
            var servers = new TwoServers();
            // One after the other: the second applies the migrations, the first finds the schema current.
            await servers.Second.InitializeAsync();
            await servers.First.InitializeAsync();
            return servers;
        }

        public async Task StopFirstAsync()
        {
            _firstStopped = true;
            await First.DisposeAsync();
            Assert.Empty(First.ErrorLogs);
        }

        public async ValueTask DisposeAsync()
        {
            if (!_firstStopped)
            {
                await First.DisposeAsync();
            }
            await Second.DisposeAsync();
            Assert.Empty(Second.ErrorLogs);
        }
    }

    /// <summary>
    /// Sends the client's requests to whichever server <see cref="Target"/> names, as a load balancer would. It wraps an
    /// HttpClientHandler, not a SocketsHttpHandler, which GrpcChannel would take over to connect to its own address.
    /// </summary>
    private sealed class SwitchableHandler(Uri target) : DelegatingHandler(new HttpClientHandler())
    {
        private Uri _target = target;

        public Uri Target
        {
            get => Volatile.Read(ref _target);
            set => Volatile.Write(ref _target, value);
        }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.RequestUri = new Uri(Target, request.RequestUri!.PathAndQuery);
            return base.SendAsync(request, cancellationToken);
        }
    }
}

/// <summary>A running exchange whose request limits are far above the bursts these tests write.</summary>
public sealed class EventStreamExchange : IAsyncLifetime
{
    public EventStreamExchange()
    {
        foreach (var limit in new[] { "Writes", "Reads" })
        {
            Exchange.Settings[$"RateLimits:{limit}:RequestsPerSecond"] = "1000000";
            Exchange.Settings[$"RateLimits:{limit}:Burst"] = "1000000";
        }
    }

    public RunningExchange Exchange { get; } = new();

    public Task InitializeAsync() => Exchange.InitializeAsync();

    public Task DisposeAsync() => Exchange.DisposeAsync();
}

/// <summary>A running exchange that lets a partner open two streams and sends heartbeats after 200 ms of quiet.</summary>
public sealed class SmallStreamCapExchange : IAsyncLifetime
{
    public const int MaxStreams = 2;

    public SmallStreamCapExchange()
    {
        Exchange.Settings["Events:MaxStreamsPerPartner"] = MaxStreams.ToString(CultureInfo.InvariantCulture);
        Exchange.Settings["Events:HeartbeatInterval"] = "00:00:00.200";
        Exchange.Settings["Events:TooManyStreamsRetryDelay"] = "00:00:00.050";
    }

    public RunningExchange Exchange { get; } = new();

    public Task InitializeAsync() => Exchange.InitializeAsync();

    public Task DisposeAsync() => Exchange.DisposeAsync();
}

/// <summary>Why the operator tests wait: see the report of issue 6's event stream.</summary>
/// <summary>One StreamEvents call read the way a partner's consumer reads it; disposing it disconnects.</summary>
internal sealed class EventConsumer : IDisposable
{
    /// <summary>How long a test waits for the next item before it fails: generous, as this is no timing assertion.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly AsyncServerStreamingCall<StreamEventsResponse> _call;

    private EventConsumer(AsyncServerStreamingCall<StreamEventsResponse> call) => _call = call;

    public static EventConsumer Open(
        RunningExchange exchange, string key, StreamEventsRequest request, TimeSpan? deadline = null, CancellationToken cancellationToken = default)
    {
        var client = new EventsService.EventsServiceClient(exchange.Channel);
        var options = new CallOptions(RunningExchange.Bearer(key), deadline is null ? null : DateTime.UtcNow + deadline, cancellationToken);
        return new EventConsumer(client.StreamEvents(request, options));
    }

    /// <summary>Completes when the server has admitted the stream (it sends its headers at once).</summary>
    public Task AdmittedAsync() => _call.ResponseHeadersAsync;

    /// <summary>Opens a stream, reads its first item and disconnects.</summary>
    public static async Task<StreamEventsResponse> FirstItemAsync(RunningExchange exchange, string key, StreamEventsRequest request)
    {
        using var stream = Open(exchange, key, request);
        return await stream.NextAsync();
    }

    /// <summary>The next item, event or heartbeat; throws the call's error if it fails.</summary>
    public async Task<StreamEventsResponse> NextAsync()
    {
        using var patience = new CancellationTokenSource(Patience);
        Assert.True(await _call.ResponseStream.MoveNext(patience.Token), "The stream ended.");
        return _call.ResponseStream.Current;
    }

    /// <summary>The next event, skipping heartbeats.</summary>
    public async Task<Event> NextEventAsync()
    {
        while (true)
        {
            var item = await NextAsync();
            if (item.ItemCase == StreamEventsResponse.ItemOneofCase.Event)
            {
                return item.Event;
            }
        }
    }

    public async Task<List<Event>> EventsAsync(int count)
    {
        var events = new List<Event>(count);
        while (events.Count < count)
        {
            events.Add(await NextEventAsync());
        }
        return events;
    }

    public void Dispose() => _call.Dispose();
}
