using Grpc.Core;
using PartnerExchange.Bench.Network;
using PartnerExchange.Bench.Reporting;
using PartnerExchange.V1;

namespace PartnerExchange.Bench.Verification;

/// <summary>
/// After the load, while the server is still up: the exchange checks its own ledger (SettlementService.VerifyLedger),
/// the benchmark checks the same invariants independently from the ledger file, and every write the exchange
/// acknowledged is looked up in that file. Either ledger check suffices when the other cannot run.
/// </summary>
internal static class LedgerVerification
{
    // A large ledger takes a while to verify; the deadline only guards against a hung server.
    private static readonly TimeSpan VerifyTimeout = TimeSpan.FromMinutes(10);

    private const string NoFile = "the ledger file is unknown (give --data-dir with --address)";

    public static async Task<Reporting.Verification> RunAsync(
        ExchangeConnection connection, string operatorKey, string? ledgerPath, AcknowledgedWrites acknowledged, CancellationToken cancellationToken)
    {
        Console.WriteLine("Verifying the ledger...");
        var checks = new List<LedgerCheck>();
        var notes = new List<string>();
        try
        {
            checks.Add(await AskExchangeAsync(connection, operatorKey, cancellationToken).ConfigureAwait(false));
        }
        catch (RpcException ex) when (ex.StatusCode != StatusCode.Cancelled)
        {
            notes.Add($"SettlementService.VerifyLedger answered {ex.StatusCode} ({ex.Status.Detail}); only the ledger file was checked.");
        }
        if (ledgerPath is null)
        {
            notes.Add($"Ledger file not checked: {NoFile}.");
            return new Reporting.Verification(checks, NotChecked(acknowledged), notes);
        }
        using var file = LedgerFile.OpenReadOnly(ledgerPath);
        checks.Add(file.CheckInvariants());
        return new Reporting.Verification(checks, file.FindTransactions(acknowledged.DistinctIds()), notes);
    }

    private static async Task<LedgerCheck> AskExchangeAsync(ExchangeConnection connection, string operatorKey, CancellationToken cancellationToken)
    {
        var response = await connection.Settlement.VerifyLedgerAsync(
            new VerifyLedgerRequest(), connection.With(new Credential(operatorKey), cancellationToken, VerifyTimeout)).ConfigureAwait(false);
        return new LedgerCheck("SettlementService.VerifyLedger", response.Ok, response.Checks.ToArray(), response.TransactionCount,
            response.AccountCount, response.Findings.Select(f => $"{f.Check}: {f.Detail}").ToArray());
    }

    private static AcknowledgedWritesCheck NotChecked(AcknowledgedWrites acknowledged) =>
        new(false, acknowledged.DistinctIds().Count, 0, 0, [], $"Not checked: {NoFile}.");
}
