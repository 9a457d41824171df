using Google.Rpc;
using Grpc.Core;
using Npgsql;
using PartnerExchange.Testing;
using PartnerExchange.V1;

namespace PartnerExchange.Server.Tests.Hosting;

/// <summary>
/// A PostgreSQL ledger that cannot be locked in time refuses writes as UNAVAILABLE with retry info, never a false
/// success nor INTERNAL, and a retry with the same key posts once when it can.
/// </summary>
public sealed class PostgresUnavailableTests : IAsyncLifetime
{
    // The writers' lock: PostgresWriteTransaction.LedgerWriteLockKey ("PXWRITER").
    private const long LedgerWriteLockKey = 0x5058575249544552;

    private readonly RunningExchange _exchange = new();
    private string _database = "";

    public async Task InitializeAsync()
    {
        _database = await PostgresServer.Shared.CreateDatabaseAsync();
        _exchange.Settings["Ledger:Postgres"] = _database;
        _exchange.Settings["Ledger:BusyTimeout"] = "00:00:01";
        await _exchange.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await _exchange.DisposeAsync();
        await PostgresServer.Shared.DropDatabaseAsync(_database);
    }

    [Fact]
    public async Task Accrue_WhileTheLedgerIsLockedPastTheBusyTimeout_UnavailableWithRetryInfoThenTheRetryPostsOnce()
    {
        var shop = await _exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();
        var request = new AccrueRequest
        {
            IdempotencyKey = Guid.NewGuid().ToString("N"), MemberNumber = member, Points = 70, Reason = AccrualReason.Promotion,
        };

        await using (var other = new NpgsqlConnection(_database))
        {
            // Another session (a stuck server, say) holds the ledger's write lock for longer than the busy timeout.
            await other.OpenAsync();
            await using var take = new NpgsqlCommand($"SELECT pg_advisory_lock({LedgerWriteLockKey})", other);
            await take.ExecuteNonQueryAsync();

            var error = await RpcAssert.FailsAsync(StatusCode.Unavailable, "EXCHANGE_BUSY", () => shop.Points.AccrueAsync(request));
            Assert.NotNull(error.GetRpcStatus()?.GetDetail<RetryInfo>()?.RetryDelay);
        }

        var retried = await shop.Points.AccrueAsync(request);

        Assert.Equal(70, retried.BalancePoints);
        Assert.Equal(70, await shop.BalanceAsync(member));
        Assert.Empty(_exchange.ErrorLogs);
    }

    [Fact]
    public async Task Calls_AfterPostgresCutEverySession_AreUnavailableUntilServedAndPostOnce()
    {
        var shop = await _exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();
        await shop.AccrueAsync(member, 5);

        // As a PostgreSQL restart does: every session of the exchange (writer and pooled readers) is cut.
        await using (var admin = new NpgsqlConnection(_database))
        {
            await admin.OpenAsync();
            await using var cut = new NpgsqlCommand(
                "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()", admin);
            Assert.True((long)(await cut.ExecuteScalarAsync())! > 0);
        }

        var request = new AccrueRequest
        {
            IdempotencyKey = Guid.NewGuid().ToString("N"), MemberNumber = member, Points = 40, Reason = AccrualReason.Promotion,
        };
        var balance = await UntilServedAsync(async () => (await shop.Points.GetAccountAsync(new GetAccountRequest { MemberNumber = member })).BalancePoints);
        var accrued = await UntilServedAsync(async () => (await shop.Points.AccrueAsync(request)).BalancePoints);

        Assert.Equal(5, balance);
        Assert.Equal(45, accrued);
        Assert.Equal(45, await shop.BalanceAsync(member));
        Assert.Empty(_exchange.ErrorLogs);
    }

    /// <summary>Calls until answered; every refusal on the way must be UNAVAILABLE, EXCHANGE_BUSY, with retry info.</summary>
    private static async Task<T> UntilServedAsync<T>(Func<Task<T>> call)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (RpcException error) when (attempt < 5)
            {
                Assert.Equal((StatusCode.Unavailable, "EXCHANGE_BUSY"), (error.StatusCode, RpcAssert.ReasonOf(error)));
                Assert.NotNull(error.GetRpcStatus()?.GetDetail<RetryInfo>()?.RetryDelay);
            }
        }
    }
}
