using PartnerExchange.Bench.Network;
using PartnerExchange.Bench.Reporting;
using PartnerExchange.V1;

namespace PartnerExchange.Bench.Verification;

/// <summary>
/// Finds acknowledged writes among the transactions the ledger holds, read through PointsService.ListTransactions
/// with the operator key, program by program, newest first, in the largest pages the API allows. Every write the
/// benchmark sends moves a member of its requester's program, so that program lists it.
/// </summary>
internal static class StoredTransactions
{
    private const int PageSize = 500;
    private const int SampleSize = 10;

    // Pages are read one after another; a deadline per page, not for the whole listing.
    private static readonly TimeSpan PageTimeout = TimeSpan.FromMinutes(1);

    public static async Task<AcknowledgedWritesCheck> FindAsync(
        ExchangeConnection connection, Credential operatorCredential, IReadOnlyList<string> programs, IReadOnlySet<string> acknowledged,
        CancellationToken cancellationToken)
    {
        var listed = await Task.WhenAll(programs.Select(program =>
            ListAsync(connection, operatorCredential, program, cancellationToken))).ConfigureAwait(false);
        var stored = listed.SelectMany(ids => ids).ToHashSet(StringComparer.Ordinal);
        var missing = acknowledged.Where(id => !stored.Contains(id)).ToArray();
        return new AcknowledgedWritesCheck(
            true, acknowledged.Count, acknowledged.Count - missing.Length, missing.Length, missing.Take(SampleSize).ToArray(), null);
    }

    private static async Task<List<string>> ListAsync(
        ExchangeConnection connection, Credential operatorCredential, string program, CancellationToken cancellationToken)
    {
        var ids = new List<string>();
        var request = new ListTransactionsRequest { ProgramCode = program, PageSize = PageSize };
        do
        {
            var page = await connection.Points.ListTransactionsAsync(
                request, connection.With(operatorCredential, cancellationToken, PageTimeout)).ConfigureAwait(false);
            ids.AddRange(page.Transactions.Select(t => t.TransactionId));
            request.PageToken = page.NextPageToken;
        }
        while (request.PageToken.Length > 0);
        return ids;
    }
}
