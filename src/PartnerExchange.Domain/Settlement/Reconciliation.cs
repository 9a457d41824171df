namespace PartnerExchange.Domain.Settlement;

/// <summary>What kind of difference reconciliation found (values match the protos).</summary>
public enum DifferenceKind
{
    /// <summary>In the statement, not in the partner's record.</summary>
    MissingAtPartner = 1,

    /// <summary>In the partner's record, not in the statement.</summary>
    MissingAtExchange,

    /// <summary>In both, with different destination points.</summary>
    PointsMismatch,

    /// <summary>In both, with the same points but a different amount.</summary>
    AmountMismatch,

    /// <summary>The partner's record lists the transaction more than once.</summary>
    DuplicateRow,
}

/// <summary>One line of a statement, or one row of a partner's record of it.</summary>
public sealed record ReconciliationEntry(string TransactionId, long DestinationPoints, long AmountMinor);

/// <summary>One difference between the ledger and a partner's record.</summary>
public sealed record ReconciliationDifference(
    DifferenceKind Kind,
    string TransactionId,
    long ExchangePoints,
    long PartnerPoints,
    long ExchangeAmountMinor,
    long PartnerAmountMinor);

/// <summary>The outcome of matching a partner's record against a statement.</summary>
public sealed record ReconciliationReport(int MatchedCount, IReadOnlyList<ReconciliationDifference> Differences)
{
    /// <summary>True when the record and the statement agree exactly.</summary>
    public bool IsClean => Differences.Count == 0;
}

/// <summary>
/// Matches a partner's own record of a statement against the ledger's lines, by transaction id. Every
/// difference is reported exactly once; nothing is ever changed.
/// </summary>
public static class Reconciliation
{
    /// <summary>
    /// Compares the two sides. A transaction in both is matched when points and amount agree, else it is
    /// a points mismatch (which wins over an amount mismatch, since the amount follows from the points).
    /// A partner row repeated is one duplicate difference; its first occurrence is still compared.
    /// Differences come ordered by transaction id, then kind.
    /// </summary>
    public static ReconciliationReport Match(IReadOnlyList<ReconciliationEntry> exchangeLines, IReadOnlyList<ReconciliationEntry> partnerRows)
    {
        ArgumentNullException.ThrowIfNull(exchangeLines);
        ArgumentNullException.ThrowIfNull(partnerRows);
        var partner = new Dictionary<string, ReconciliationEntry>(partnerRows.Count, StringComparer.Ordinal);
        var differences = new List<ReconciliationDifference>();
        var duplicated = new HashSet<string>(StringComparer.Ordinal);
        foreach (var row in partnerRows)
        {
            if (!partner.TryAdd(row.TransactionId, row) && duplicated.Add(row.TransactionId))
            {
                differences.Add(new(DifferenceKind.DuplicateRow, row.TransactionId, 0, row.DestinationPoints, 0, row.AmountMinor));
            }
        }
        var matched = 0;
        var seen = new HashSet<string>(exchangeLines.Count, StringComparer.Ordinal);
        foreach (var line in exchangeLines)
        {
            seen.Add(line.TransactionId);
            if (!partner.TryGetValue(line.TransactionId, out var row))
            {
                differences.Add(new(DifferenceKind.MissingAtPartner, line.TransactionId, line.DestinationPoints, 0, line.AmountMinor, 0));
            }
            else if (row.DestinationPoints != line.DestinationPoints || row.AmountMinor != line.AmountMinor)
            {
                var kind = row.DestinationPoints != line.DestinationPoints ? DifferenceKind.PointsMismatch : DifferenceKind.AmountMismatch;
                differences.Add(new(kind, line.TransactionId, line.DestinationPoints, row.DestinationPoints, line.AmountMinor, row.AmountMinor));
            }
            else
            {
                matched++;
            }
        }
        foreach (var row in partner.Values.Where(r => !seen.Contains(r.TransactionId)))
        {
            differences.Add(new(DifferenceKind.MissingAtExchange, row.TransactionId, 0, row.DestinationPoints, 0, row.AmountMinor));
        }
        differences.Sort((a, b) =>
        {
            var byId = string.CompareOrdinal(a.TransactionId, b.TransactionId);
            return byId != 0 ? byId : a.Kind.CompareTo(b.Kind);
        });
        return new ReconciliationReport(matched, differences);
    }
}
