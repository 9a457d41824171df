using PartnerExchange.Domain.Ledger;

namespace PartnerExchange.Ledger.Reading;

/// <summary>A program's outstanding and expired points as of a moment.</summary>
public sealed record LiabilitySnapshot(string ProgramCode, DateTimeOffset AsOf, long OutstandingPoints, long ExpiredPoints);

/// <summary>
/// Reads for finance and audit, on either engine: liabilities as of any time, and a verification of every ledger
/// invariant (<see cref="LedgerInvariants"/>), each on one read snapshot (<see cref="LedgerDatabase.OpenSnapshotAsync"/>).
/// </summary>
public sealed class LedgerAudit(LedgerDatabase database)
{
    // As of any moment, exactly: the postings of transactions committed before it.
    private const string SumOfKindSql = "SELECT COALESCE(SUM(p.amount_points), 0) FROM postings p JOIN transactions t ON t.sequence = p.sequence " +
        "WHERE p.program_code = @program AND p.account_kind = @kind AND t.created_at_micros < @as_of";

    /// <summary>A program's points held by members and expired before <paramref name="asOf"/>; null without such a partner.</summary>
    public async Task<LiabilitySnapshot?> GetLiabilityAsync(string programCode, DateTimeOffset asOf, CancellationToken cancellationToken)
    {
        // One snapshot for both sums, so outstanding and expired points always describe the same ledger.
        await using var snapshot = await database.OpenSnapshotAsync(cancellationToken).ConfigureAwait(false);
        if (await snapshot.ScalarAsync("SELECT COUNT(*) FROM partners WHERE program_code = @program", cancellationToken, ("@program", programCode))
                .ConfigureAwait(false) == 0)
        {
            return null;
        }
        var asOfMicros = (asOf.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;
        var outstanding = await SumOfKindAsync(snapshot, programCode, AccountKind.Member, asOfMicros, cancellationToken).ConfigureAwait(false);
        var expired = await SumOfKindAsync(snapshot, programCode, AccountKind.Expiry, asOfMicros, cancellationToken).ConfigureAwait(false);
        return new LiabilitySnapshot(programCode, asOf, outstanding, expired);
    }

    /// <summary>Runs every check of <see cref="LedgerInvariants"/> on one snapshot of the ledger.</summary>
    public async Task<LedgerVerification> VerifyAsync(CancellationToken cancellationToken)
    {
        await using var snapshot = await database.OpenSnapshotAsync(cancellationToken).ConfigureAwait(false);
        return await LedgerInvariants.VerifyAsync(snapshot.Transaction, cancellationToken).ConfigureAwait(false);
    }

    private static Task<long> SumOfKindAsync(
        ReadSnapshot snapshot, string programCode, AccountKind kind, long asOfMicros, CancellationToken cancellationToken) =>
        snapshot.ScalarAsync(SumOfKindSql, cancellationToken, ("@program", programCode), ("@kind", (int)kind), ("@as_of", asOfMicros));
}
