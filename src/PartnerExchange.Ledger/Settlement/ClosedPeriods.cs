using PartnerExchange.Domain.Settlement;
using PartnerExchange.Ledger.Stores;
using PartnerExchange.Ledger.Writing;

namespace PartnerExchange.Ledger.Settlement;

/// <summary>Closed settlement periods as the writer stores and reloads them, through the settlement store.</summary>
internal static class ClosedPeriods
{
    /// <summary>
    /// Stores a newly closed period with its statements. A statement's lines are not stored: they are the obligations
    /// recorded in the period between its parties, which the period's sequence span lets a reader find; so closing
    /// writes a row per statement, not per obligation, however large the period.
    /// </summary>
    public static ClosedPeriod Insert(LedgerWriteTransaction tx, PeriodDraft draft)
    {
        var periodId = "per_" + Guid.CreateVersion7(tx.Now).ToString("N");
        var (first, last) = SequenceSpan(draft);
        tx.Settlement.InsertPeriod(new StoredPeriod(periodId, draft.Bounds, tx.NowMicros, draft.ContentHash, first, last));
        tx.NoteClosedPeriod(draft.Bounds.EndMicros);
        var statements = new List<StatementRecord>(draft.Statements.Count);
        foreach (var statement in draft.Statements)
        {
            var record = new StatementRecord("st_" + Guid.CreateVersion7(tx.Now).ToString("N"), periodId, statement.Parties,
                statement.Totals, 0, statement.ContentHash, tx.Now);
            tx.Settlement.InsertStatement(record);
            Obligations.Settle(tx, statement.Parties, statement.Lines);
            statements.Add(record);
        }
        var period = new PeriodRecord(periodId, Time.FromMicros(draft.Bounds.StartMicros), Time.FromMicros(draft.Bounds.EndMicros),
            tx.Now, statements.Count, draft.NetPositions, draft.ContentHash);
        return new ClosedPeriod(period, statements);
    }

    /// <summary>The lowest and highest sequence of the period's obligations; (0, 0) when it has none.</summary>
    internal static (long First, long Last) SequenceSpan(PeriodDraft draft)
    {
        var (first, last) = (long.MaxValue, 0L);
        foreach (var statement in draft.Statements)
        {
            foreach (var line in statement.Lines)
            {
                (first, last) = (Math.Min(first, line.Sequence), Math.Max(last, line.Sequence));
            }
        }
        return last == 0 ? (0, 0) : (first, last);
    }

    /// <summary>A period already closed, with its statements as they stand now.</summary>
    public static ClosedPeriod Load(LedgerWriteTransaction tx, string periodId)
    {
        var statements = tx.Settlement.StatementsOf(periodId);
        statements.Sort(SettlementOrder.Statements);
        var stored = tx.Settlement.FindPeriod(periodId)
            ?? throw new InvalidOperationException($"Period {periodId} vanished inside the write transaction.");
        var period = new PeriodRecord(periodId, Time.FromMicros(stored.Bounds.StartMicros), Time.FromMicros(stored.Bounds.EndMicros),
            Time.FromMicros(stored.ClosedAtMicros), statements.Count, SettlementOrder.NetPositions(statements), stored.ContentHash);
        return new ClosedPeriod(period, statements);
    }
}

/// <summary>The one order of statements everywhere (payer, payee, currency, ordinal) and net positions from them.</summary>
internal static class SettlementOrder
{
    public static readonly Comparison<StatementRecord> Statements = (a, b) =>
    {
        var byPayer = string.CompareOrdinal(a.Parties.PayerProgramCode, b.Parties.PayerProgramCode);
        if (byPayer != 0)
        {
            return byPayer;
        }
        var byPayee = string.CompareOrdinal(a.Parties.PayeeProgramCode, b.Parties.PayeeProgramCode);
        return byPayee != 0 ? byPayee : string.CompareOrdinal(a.Parties.CurrencyCode, b.Parties.CurrencyCode);
    };

    /// <summary>Net positions of stored statements; they fitted when the period was closed, so they still do.</summary>
    public static IReadOnlyList<NetPosition> NetPositions(IEnumerable<StatementRecord> statements) =>
        StatementMath.NetPositions(statements.Select(s => (s.Parties, s.Totals))).Value;
}
