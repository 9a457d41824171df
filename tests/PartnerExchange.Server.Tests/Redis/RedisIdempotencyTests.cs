using Google.Protobuf;
using Google.Rpc;
using Grpc.Core;
using PartnerExchange.Testing;
using PartnerExchange.V1;
using StackExchange.Redis;

namespace PartnerExchange.Server.Tests.Redis;

/// <summary>The Redis fast path of idempotency, against the assembly's real redis-server.</summary>
public sealed class RedisIdempotencyTests(RunningExchange exchange) : IntegrationTest(exchange), IClassFixture<RunningExchange>, IDisposable
{
    private readonly ConnectionMultiplexer _redis = ConnectionMultiplexer.Connect(RedisServer.Shared.Configuration + ",allowAdmin=true");

    public void Dispose() => _redis.Dispose();

    [Fact]
    public async Task Accrue_Completed_KeepsStateAndFingerprintOnlyUnderPartnerHashTag()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();
        var key = Guid.NewGuid().ToString("N");

        await shop.Points.AccrueAsync(Accrual(member, key));

        var redisKey = FindKey(shop.ProgramCode, key);
        await UntilCompletedAsync(redisKey);
        var record = (await _redis.GetDatabase().HashGetAllAsync(redisKey)).ToDictionary(e => (string)e.Name!, e => e.Value);
        Assert.Equal("completed", (string?)record["state"]);
        // The response lives in the ledger; Redis keeps what answers a repeat without the writer.
        Assert.Equal(["fp", "state"], record.Keys.Order(StringComparer.Ordinal));
        Assert.Contains($":{{{shop.ProgramCode}}}:idem2:", (string?)redisKey, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Accrue_ReplayWhileRedisRemembersTheKey_ReturnsOriginalFromLedger()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();
        var request = Accrual(member, Guid.NewGuid().ToString("N"));
        var first = await shop.Points.AccrueAsync(request);

        var replay = await shop.Points.AccrueAsync(request);

        Assert.Equal(first.ToByteArray(), replay.ToByteArray());
        Assert.Equal(100, await shop.BalanceAsync(member));
    }

    [Fact]
    public async Task Accrue_RedisSaysCompletedButLedgerHasNoRecord_WriterRunsTheRequest()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();
        var first = Accrual(member, Guid.NewGuid().ToString("N"));
        await shop.Points.AccrueAsync(first);
        // The fingerprint leaves the key out, so the same accrual under a new key matches this record: as if the
        // ledger had been restored from before the new key was used.
        var second = Accrual(member, Guid.NewGuid().ToString("N"));
        var db = _redis.GetDatabase();
        await db.HashSetAsync(KeyBeside(FindKey(shop.ProgramCode, first.IdempotencyKey), first.IdempotencyKey, second.IdempotencyKey),
            await db.HashGetAllAsync(FindKey(shop.ProgramCode, first.IdempotencyKey)));

        var answer = await shop.Points.AccrueAsync(second);

        Assert.Equal(200, answer.BalancePoints);
        Assert.Equal(200, await shop.BalanceAsync(member));
    }

    [Fact]
    public async Task Accrue_Completed_KeepsRecordForTheConfiguredDay()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();
        var key = Guid.NewGuid().ToString("N");

        await shop.Points.AccrueAsync(Accrual(member, key));

        var ttl = await _redis.GetDatabase().KeyTimeToLiveAsync(FindKey(shop.ProgramCode, key));
        Assert.InRange(ttl!.Value, TimeSpan.FromHours(23), TimeSpan.FromHours(24));
    }

    [Fact]
    public async Task Accrue_FailedValidation_LeavesNoRecord()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var key = Guid.NewGuid().ToString("N");

        await RpcAssert.InvalidAsync(() => shop.Points.AccrueAsync(Accrual("bad member!", key)), "member_number");

        Assert.Empty(_redis.GetServer(RedisServer.Shared.Configuration).Keys(pattern: $"*:{{{shop.ProgramCode}}}:idem2:{key}"));
    }

    [Fact]
    public async Task Accrue_MarkerOfSameRequestNotRecordedInLedger_AnswersAbortedWithRetryInfo()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();
        var first = Accrual(member, Guid.NewGuid().ToString("N"));
        await shop.Points.AccrueAsync(first);
        // The same accrual under a new key has the same fingerprint: plant its marker as a request still running would.
        var running = Accrual(member, Guid.NewGuid().ToString("N"));
        await PlantMarkerAsync(shop.ProgramCode, first.IdempotencyKey, running.IdempotencyKey);

        var error = await RpcAssert.FailsAsync(StatusCode.Aborted, "REQUEST_IN_PROGRESS", () => shop.Points.AccrueAsync(running));

        Assert.NotNull(error.GetRpcStatus()?.GetDetail<RetryInfo>());
        Assert.Equal(100, await shop.BalanceAsync(member));
    }

    [Fact]
    public async Task Accrue_MarkerLeftByARequestTheLedgerRecorded_ReplaysStoredResponse()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();
        var request = Accrual(member, Guid.NewGuid().ToString("N"));
        var first = await shop.Points.AccrueAsync(request);
        // Turn the completed record back into an in-flight one, as a completion that timed out here but whose
        // marker Redis set would leave it.
        var db = _redis.GetDatabase();
        await db.HashSetAsync(FindKey(shop.ProgramCode, request.IdempotencyKey), [new("state", "running"), new("token", "lost")]);

        var replay = await shop.Points.AccrueAsync(request);

        Assert.Equal(first.ToByteArray(), replay.ToByteArray());
        Assert.Equal(100, await shop.BalanceAsync(member));
    }

    [Fact]
    public async Task Accrue_MarkerOfAnotherRequestNeverRecorded_RunsInsteadOfKeyReused()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();
        var first = Accrual(member, Guid.NewGuid().ToString("N"));
        await shop.Points.AccrueAsync(first);
        // A marker with another request's fingerprint, as an input error whose marker release failed leaves it.
        var corrected = Accrual(member, Guid.NewGuid().ToString("N"));
        corrected.Points = 7;
        await PlantMarkerAsync(shop.ProgramCode, first.IdempotencyKey, corrected.IdempotencyKey);

        var answer = await shop.Points.AccrueAsync(corrected);

        Assert.Equal(107, answer.BalancePoints);
        Assert.Equal(107, await shop.BalanceAsync(member));
    }

    [Fact]
    public async Task Accrue_MarkerOfAnotherRequestWhenLedgerRecordedTheKey_LedgerRefusesReuse()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();
        var recorded = Accrual(member, Guid.NewGuid().ToString("N"));
        await shop.Points.AccrueAsync(recorded);
        // Its completed record turned back into a marker: the marker alone never decides, the ledger's record does.
        await _redis.GetDatabase().HashSetAsync(FindKey(shop.ProgramCode, recorded.IdempotencyKey), "state", "running");
        var different = recorded.Clone();
        different.Points = 7;

        await RpcAssert.FailsAsync(StatusCode.FailedPrecondition, "IDEMPOTENCY_KEY_REUSED", () => shop.Points.AccrueAsync(different));

        Assert.Equal(100, await shop.BalanceAsync(member));
    }

    [Fact]
    public async Task Accrue_FiftySimultaneousIdenticalRequests_PostOnceAndAnswerOriginalOrAborted()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();
        var request = Accrual(member, Guid.NewGuid().ToString("N"));

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 50).Select(async _ =>
        {
            try
            {
                return (Response: await shop.Points.AccrueAsync(request), Error: (RpcException?)null);
            }
            catch (RpcException error)
            {
                return (Response: (AccrueResponse?)null, Error: error);
            }
        }));

        var responses = outcomes.Where(o => o.Response is not null).Select(o => o.Response!).ToList();
        Assert.NotEmpty(responses);
        Assert.Single(responses.Select(r => r.ToByteArray()).Select(Convert.ToBase64String).Distinct());
        Assert.All(outcomes.Where(o => o.Error is not null), o =>
        {
            Assert.Equal(StatusCode.Aborted, o.Error!.StatusCode);
            Assert.Equal("REQUEST_IN_PROGRESS", RpcAssert.ReasonOf(o.Error));
        });
        Assert.Equal(100, await shop.BalanceAsync(member));
        var history = await shop.Points.ListTransactionsAsync(new ListTransactionsRequest { MemberNumber = member });
        Assert.Single(history.Transactions);
    }

    [Fact]
    public async Task Accrue_ReplayAfterRedisForgot_ReturnsOriginalFromLedger()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();
        var request = Accrual(member, Guid.NewGuid().ToString("N"));
        var first = await shop.Points.AccrueAsync(request);
        await _redis.GetDatabase().KeyDeleteAsync(FindKey(shop.ProgramCode, request.IdempotencyKey));

        var replay = await shop.Points.AccrueAsync(request);

        Assert.Equal(first.ToByteArray(), replay.ToByteArray());
        Assert.Equal(100, await shop.BalanceAsync(member));
        // The ledger's answer refills the fast path for the next retry.
        await UntilCompletedAsync(FindKey(shop.ProgramCode, request.IdempotencyKey));
    }

    [Fact]
    public async Task Accrue_SameKeyDifferentRequestAfterRedisForgot_LedgerRefusesReuse()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();
        var request = Accrual(member, Guid.NewGuid().ToString("N"));
        await shop.Points.AccrueAsync(request);
        await _redis.GetDatabase().KeyDeleteAsync(FindKey(shop.ProgramCode, request.IdempotencyKey));
        var different = request.Clone();
        different.Points = 7;

        await RpcAssert.FailsAsync(StatusCode.FailedPrecondition, "IDEMPOTENCY_KEY_REUSED", () => shop.Points.AccrueAsync(different));

        // The refused request leaves no marker behind that would block the original's retries.
        Assert.Empty(_redis.GetServer(RedisServer.Shared.Configuration).Keys(pattern: $"*:{{{shop.ProgramCode}}}:idem2:{request.IdempotencyKey}"));
    }

    private static AccrueRequest Accrual(string member, string key) =>
        new() { IdempotencyKey = key, MemberNumber = member, Points = 100, Reason = AccrualReason.Referral };

    /// <summary>
    /// Waits until the key is marked completed: the write path sends the completion without waiting for it, so it may
    /// reach Redis just after the answer reached the client. Fails if it never does.
    /// </summary>
    private async Task UntilCompletedAsync(RedisKey key)
    {
        for (var attempt = 0; attempt < 400; attempt++)
        {
            if ((string?)await _redis.GetDatabase().HashGetAsync(key, "state") == "completed")
            {
                return;
            }
            await Task.Delay(25);
        }
        Assert.Fail($"{key} was never marked completed.");
    }

    private RedisKey FindKey(string programCode, string idempotencyKey) =>
        _redis.GetServer(RedisServer.Shared.Configuration).Keys(pattern: $"*:{{{programCode}}}:idem2:{idempotencyKey}").Single();

    /// <summary>
    /// Plants, under <paramref name="markedKey"/>, the in-flight marker the request completed under
    /// <paramref name="completedKey"/> would have set: its fingerprint, a running state and a token of no live request.
    /// </summary>
    private async Task PlantMarkerAsync(string programCode, string completedKey, string markedKey)
    {
        var db = _redis.GetDatabase();
        var completed = FindKey(programCode, completedKey);
        var marker = KeyBeside(completed, completedKey, markedKey);
        await db.HashSetAsync(marker, [new("state", "running"), new("fp", await db.HashGetAsync(completed, "fp")), new("token", "lost")]);
        await db.KeyExpireAsync(marker, TimeSpan.FromMinutes(1));
    }

    /// <summary>The Redis key another idempotency key of the same partner has, beside a known one.</summary>
    private static RedisKey KeyBeside(RedisKey known, string knownIdempotencyKey, string otherIdempotencyKey)
    {
        var text = (string)known!;
        return text[..^knownIdempotencyKey.Length] + otherIdempotencyKey;
    }
}
