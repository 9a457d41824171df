using System.Collections.Concurrent;
using System.Diagnostics;
using Grpc.Core;
using Grpc.Net.Client;
using PartnerExchange.Testing;
using PartnerExchange.V1;

namespace PartnerExchange.Server.Tests.Hosting;

/// <summary>
/// Two servers on one PostgreSQL ledger; one is killed with SIGKILL while partners write through it. Every write
/// it acknowledged is in the ledger once, and every write it was given, retried on the other server with its key,
/// is in the ledger exactly once.
/// </summary>
public sealed class PostgresServerKillTests : IAsyncLifetime
{
    private const int Writers = 4;
    private const long PointsPerWrite = 7;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private readonly RunningExchange _survivor = new();
    private string _database = "";

    public async Task InitializeAsync()
    {
        _database = await PostgresServer.Shared.CreateDatabaseAsync();
        _survivor.Settings["Ledger:Postgres"] = _database;
        foreach (var limit in new[] { "Writes", "Reads", "MemberVelocity" })
        {
            _survivor.Settings[$"RateLimits:{limit}:RequestsPerSecond"] = "1000000";
            _survivor.Settings[$"RateLimits:{limit}:Burst"] = "1000000";
        }
        await _survivor.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await _survivor.DisposeAsync();
        await PostgresServer.Shared.DropDatabaseAsync(_database);
    }

    [Fact]
    public async Task KillOfOneServerUnderLoad_LosesNoAcknowledgedWriteAndRetriesOnTheOtherPostOnce()
    {
        var shop = await _survivor.CreatePartnerAsync();
        var member = await shop.EnrollAsync();
        var address = new Uri($"http://127.0.0.1:{LoopbackPorts.Free()}");
        using var victim = StartServer(address);
        using var channel = GrpcChannel.ForAddress(address);
        var points = new PointsService.PointsServiceClient(channel);
        var auth = RunningExchange.Bearer(shop.Key);
        await WaitUntilServingAsync(points, auth, member, victim);

        // Writers send accruals to the doomed server, each under its own key, until it dies under them.
        var sent = new ConcurrentBag<AccrueRequest>();
        var acknowledged = new ConcurrentDictionary<string, string>();
        var refusals = new ConcurrentBag<RpcException>();
        using var stop = new CancellationTokenSource();
        var writers = Enumerable.Range(0, Writers).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var request = new AccrueRequest
                {
                    IdempotencyKey = Guid.NewGuid().ToString("N"), MemberNumber = member, Points = PointsPerWrite, Reason = AccrualReason.Promotion,
                };
                sent.Add(request);
                try
                {
                    var answer = await points.AccrueAsync(request, auth);
                    acknowledged[request.IdempotencyKey] = answer.Transaction.TransactionId;
                }
                catch (RpcException error)
                {
                    refusals.Add(error);
                    return;
                }
            }
        })).ToList();
        while (acknowledged.Count < 50)
        {
            Assert.False(victim.HasExited, "The server stopped before it was killed.");
            Assert.False(writers.TrueForAll(w => w.IsCompleted), $"Every writer was refused before the kill: {refusals.FirstOrDefault()?.Status}");
            await Task.Delay(10);
        }
        victim.Kill(entireProcessTree: true);
        await victim.WaitForExitAsync();
        await stop.CancelAsync();
        await Task.WhenAll(writers);

        // Every write the dead server was given, retried on the survivor: acknowledged ones replay, the rest post once.
        foreach (var request in sent)
        {
            var answer = await shop.Points.AccrueAsync(request);
            if (acknowledged.TryGetValue(request.IdempotencyKey, out var transactionId))
            {
                Assert.Equal(transactionId, answer.Transaction.TransactionId);
            }
        }

        Assert.Equal(sent.Count * PointsPerWrite, await shop.BalanceAsync(member));
        var verified = await SettlementClients.Operator(_survivor).VerifyLedgerAsync(new VerifyLedgerRequest());
        Assert.True(verified.Ok, string.Join("\n", verified.Findings.Select(f => $"{f.Check}: {f.Detail}")));
    }

    private Process StartServer(Uri address) => ServerProcess.Start(new Dictionary<string, string>
    {
        ["PX_POSTGRES"] = _database,
        ["PX_DATA_DIR"] = Path.Combine(Path.GetTempPath(), "px-tests", Guid.NewGuid().ToString("N")),
        ["PX_LISTEN"] = address.ToString(),
        ["PX_OPERATOR_KEY"] = _survivor.OperatorKey,
        ["RateLimits__Writes__RequestsPerSecond"] = "1000000",
        ["RateLimits__Writes__Burst"] = "1000000",
        ["RateLimits__MemberVelocity__RequestsPerSecond"] = "1000000",
        ["RateLimits__MemberVelocity__Burst"] = "1000000",
    });

    private static async Task WaitUntilServingAsync(PointsService.PointsServiceClient points, Metadata auth, string member, Process server)
    {
        using var timeout = new CancellationTokenSource(StartTimeout);
        while (true)
        {
            Assert.False(server.HasExited, "The server process exited at start.");
            try
            {
                await points.GetAccountAsync(new GetAccountRequest { MemberNumber = member }, auth, cancellationToken: timeout.Token);
                return;
            }
            catch (RpcException error) when (error.StatusCode == StatusCode.Unavailable && !timeout.IsCancellationRequested)
            {
                await Task.Delay(100, timeout.Token);
            }
        }
    }
}
