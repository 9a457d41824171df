using PartnerExchange.Domain;
using PartnerExchange.Domain.Settlement;
using PartnerExchange.Ledger.Reading;
using PartnerExchange.Ledger.Writing;

namespace PartnerExchange.Ledger.Settlement;

/// <summary>
/// A period's statements computed from one read snapshot of the ledger, outside the writer: the obligations
/// then unsettled in the period, the last ledger sequence the snapshot saw (its cut), and the statements they
/// make. Closing the period with it, the writer only adds what committed after the cut.
/// </summary>
public sealed class PeriodSnapshot
{
    internal PeriodSnapshot(PeriodBounds bounds, int networkFeeBasisPoints, long cutSequence, List<Obligation> obligations)
    {
        Bounds = bounds;
        NetworkFeeBasisPoints = networkFeeBasisPoints;
        CutSequence = cutSequence;
        Obligations = obligations;
        // An empty or reversed period is the writer's to refuse; the maths needs a period to work on.
        if (bounds.StartMicros < bounds.EndMicros)
        {
            Draft = StatementMath.ClosePeriod(bounds, obligations, networkFeeBasisPoints);
        }
    }

    /// <summary>The period read.</summary>
    public PeriodBounds Bounds { get; }

    /// <summary>The network fee the statements were computed with.</summary>
    public int NetworkFeeBasisPoints { get; }

    /// <summary>The highest ledger sequence committed when the snapshot was read; later ones it did not see.</summary>
    public long CutSequence { get; }

    /// <summary>The period's obligations in no statement at the cut, in sequence order.</summary>
    internal IReadOnlyList<Obligation> Obligations { get; }

    /// <summary>The statements of exactly those obligations, or why they cannot be made; null for bounds no period has.</summary>
    internal Outcome<PeriodDraft>? Draft { get; }

    internal bool Describes(PeriodBounds bounds, int networkFeeBasisPoints) =>
        Bounds == bounds && NetworkFeeBasisPoints == networkFeeBasisPoints;
}

/// <summary>
/// Reads what closing a period freezes from one read snapshot (<see cref="LedgerDatabase.OpenSnapshotAsync"/>), so the
/// long part of closing — reading every obligation of the period and hashing the statements — never holds
/// the single writer; partners' writes go on meanwhile.
/// </summary>
public sealed class PeriodSnapshots(LedgerDatabase database)
{
    /// <summary>The unsettled obligations of [<paramref name="start"/>, <paramref name="end"/>) and their statements as of now.</summary>
    public async Task<PeriodSnapshot> ReadAsync(DateTimeOffset start, DateTimeOffset end, int networkFeeBasisPoints, CancellationToken cancellationToken)
    {
        var bounds = new PeriodBounds(start.ToUnixMicros(), end.ToUnixMicros());
        // One snapshot for the cut and the obligations: everything at or below the cut, nothing above it.
        await using var snapshot = await database.OpenSnapshotAsync(cancellationToken).ConfigureAwait(false);
        var cutSequence = await snapshot.ScalarAsync("SELECT COALESCE(MAX(sequence), 0) FROM transactions", cancellationToken).ConfigureAwait(false);
        await using var read = snapshot.Command(ObligationRows.UnsettledSql, ("@start", bounds.StartMicros), ("@end", bounds.EndMicros));
        var obligations = new List<Obligation>();
        await using (var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                obligations.Add(ObligationRows.Read(reader));
            }
        }
        return new PeriodSnapshot(bounds, networkFeeBasisPoints, cutSequence, obligations);
    }
}
