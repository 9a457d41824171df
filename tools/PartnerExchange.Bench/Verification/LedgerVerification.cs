using Grpc.Core;
using PartnerExchange.Bench.Network;
using PartnerExchange.Bench.Reporting;
using PartnerExchange.V1;

namespace PartnerExchange.Bench.Verification;

/// <summary>
/// After the load, while the server is still up, through the operator API alone: the exchange checks its ledger
/// with the one invariant checker (SettlementService.VerifyLedger, as <c>pxctl ledger verify</c> does), and every
/// write it acknowledged is looked up among the transactions its programs list.
/// </summary>
internal static class LedgerVerification
{
    // A large ledger takes a while to verify; the deadline only guards against a hung server.
    private static readonly TimeSpan VerifyTimeout = TimeSpan.FromMinutes(10);

    public static async Task<Reporting.Verification> RunAsync(
        ExchangeConnection connection, string operatorKey, BenchNetwork network, CancellationToken cancellationToken)
    {
        Console.WriteLine("Verifying the ledger...");
        var operatorCredential = new Credential(operatorKey);
        var checks = new List<LedgerCheck>();
        var notes = new List<string>();
        try
        {
            checks.Add(await AskExchangeAsync(connection, operatorCredential, cancellationToken).ConfigureAwait(false));
        }
        catch (RpcException ex) when (ex.StatusCode != StatusCode.Cancelled)
        {
            notes.Add($"SettlementService.VerifyLedger answered {ex.StatusCode} ({ex.Status.Detail}); the ledger's invariants were not checked.");
        }
        var acknowledged = await StoredTransactions.FindAsync(
            connection, operatorCredential, network.Programs.Select(p => p.Code).ToArray(), network.Acknowledged.DistinctIds(), cancellationToken)
            .ConfigureAwait(false);
        return new Reporting.Verification(checks, acknowledged, notes);
    }

    private static async Task<LedgerCheck> AskExchangeAsync(ExchangeConnection connection, Credential operatorCredential, CancellationToken cancellationToken)
    {
        var response = await connection.Settlement.VerifyLedgerAsync(
            new VerifyLedgerRequest(), connection.With(operatorCredential, cancellationToken, VerifyTimeout)).ConfigureAwait(false);
        return new LedgerCheck("SettlementService.VerifyLedger", response.Ok, response.Checks.ToArray(), response.TransactionCount,
            response.AccountCount, response.Findings.Select(f => $"{f.Check}: {f.Detail}").ToArray());
    }
}
