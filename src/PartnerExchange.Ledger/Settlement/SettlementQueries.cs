using Microsoft.EntityFrameworkCore;
using PartnerExchange.Domain.Ledger;
using PartnerExchange.Domain.Settlement;
using PartnerExchange.Ledger.Storage;
using PartnerExchange.Ledger.Writing;

namespace PartnerExchange.Ledger.Settlement;

/// <summary>
/// Reads of closed periods, statements, their lines and payments. Statements and lines never change once
/// written, so a statement read in several batches is read consistently.
/// </summary>
public sealed class SettlementQueries(LedgerDatabase database)
{
    /// <summary>A closed period, or null.</summary>
    public async Task<PeriodRecord?> GetPeriodAsync(string periodId, CancellationToken cancellationToken)
    {
        await using var db = database.CreateContext();
        var row = await db.SettlementPeriods.FirstOrDefaultAsync(p => p.PeriodId == periodId, cancellationToken).ConfigureAwait(false);
        if (row is null)
        {
            return null;
        }
        var statements = await StatementsOf(db, [periodId], cancellationToken).ConfigureAwait(false);
        return ToRecord(row, statements);
    }

    /// <summary>Closed periods, latest first, that start before <paramref name="beforeStartMicros"/> (periods never overlap).</summary>
    public async Task<IReadOnlyList<PeriodRecord>> ListPeriodsAsync(long? beforeStartMicros, int limit, CancellationToken cancellationToken)
    {
        await using var db = database.CreateContext();
        var query = db.SettlementPeriods.AsQueryable();
        if (beforeStartMicros is { } before)
        {
            query = query.Where(p => p.StartMicros < before);
        }
        var rows = await query.OrderByDescending(p => p.StartMicros).Take(limit).ToListAsync(cancellationToken).ConfigureAwait(false);
        var statements = await StatementsOf(db, rows.ConvertAll(p => p.PeriodId), cancellationToken).ConfigureAwait(false);
        return rows.ConvertAll(p => ToRecord(p, statements));
    }

    /// <summary>The statements of a period in statement order, optionally of one partner; null when there is no such period.</summary>
    public async Task<IReadOnlyList<StatementRecord>?> ListStatementsAsync(string periodId, string? programCode, CancellationToken cancellationToken)
    {
        await using var db = database.CreateContext();
        if (!await db.SettlementPeriods.AnyAsync(p => p.PeriodId == periodId, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }
        var statements = await StatementsOf(db, [periodId], cancellationToken).ConfigureAwait(false);
        return programCode is null
            ? statements
            : statements.FindAll(s => s.Parties.PayerProgramCode == programCode || s.Parties.PayeeProgramCode == programCode);
    }

    /// <summary>A statement with its payments, or null.</summary>
    public async Task<StatementDetail?> GetStatementAsync(string statementId, CancellationToken cancellationToken)
    {
        await using var db = database.CreateContext();
        var row = await db.Statements.FirstOrDefaultAsync(s => s.StatementId == statementId, cancellationToken).ConfigureAwait(false);
        if (row is null)
        {
            return null;
        }
        var payments = await db.Payments.Where(p => p.StatementId == statementId).OrderBy(p => p.CreatedAtMicros).ThenBy(p => p.PaymentId)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var records = payments.ConvertAll(p => new PaymentRecord(p.PaymentId, p.AmountMinor, p.Reference, Time.FromMicros(p.CreatedAtMicros)));
        return new StatementDetail(ToRecord(row, records.Sum(p => p.AmountMinor)), records);
    }

    /// <summary>
    /// Up to <paramref name="limit"/> lines of a statement after <paramref name="afterSequence"/>, in sequence
    /// order, with the member on each side: the member postings of the line's transaction in the payer's
    /// and the payee's program.
    /// </summary>
    public async Task<IReadOnlyList<StatementLineRecord>> ReadLinesAsync(
        StatementRecord statement, long afterSequence, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(statement);
        await using var db = database.CreateContext();
        var obligations = await LinesOfAsync(db, statement.StatementId, afterSequence, cancellationToken).ConfigureAwait(false);
        var lines = await (
            from o in obligations
            join t in db.Transactions on o.Sequence equals t.Sequence
            orderby o.Sequence
            select new { o.Sequence, t.TransactionId, t.Kind, t.CreatedAtMicros, o.DestinationPoints, o.AmountMicros, o.AmountMinor, t.ReversesTransactionId })
            .Take(limit).ToListAsync(cancellationToken).ConfigureAwait(false);
        if (lines.Count == 0)
        {
            return [];
        }
        var (payer, payee) = (statement.Parties.PayerProgramCode, statement.Parties.PayeeProgramCode);
        var (first, last) = (lines[0].Sequence, lines[^1].Sequence);
        var members = await db.Postings
            .Where(p => p.AccountKind == (int)AccountKind.Member && p.Sequence >= first && p.Sequence <= last
                && (p.ProgramCode == payer || p.ProgramCode == payee))
            .Select(p => new { p.Sequence, p.ProgramCode, p.MemberNumber })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var memberOf = members.ToDictionary(m => (m.Sequence, m.ProgramCode), m => m.MemberNumber);
        return lines.ConvertAll(l => new StatementLineRecord(
            l.Sequence, l.TransactionId, (TransactionKind)l.Kind, Time.FromMicros(l.CreatedAtMicros),
            memberOf.GetValueOrDefault((l.Sequence, payer), ""), memberOf.GetValueOrDefault((l.Sequence, payee), ""),
            l.DestinationPoints, l.AmountMicros, l.AmountMinor, l.ReversesTransactionId));
    }

    /// <summary>Every line of a statement in sequence order: the amounts reconciliation compares and the hash covers.</summary>
    public async Task<IReadOnlyList<ObligationLine>> ReadObligationLinesAsync(string statementId, CancellationToken cancellationToken)
    {
        await using var db = database.CreateContext();
        var obligations = await LinesOfAsync(db, statementId, 0, cancellationToken).ConfigureAwait(false);
        var rows = await (
            from o in obligations
            join t in db.Transactions on o.Sequence equals t.Sequence
            orderby o.Sequence
            select new { o.Sequence, t.TransactionId, o.DestinationPoints, o.AmountMicros, o.AmountMinor })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return rows.ConvertAll(r => new ObligationLine(r.Sequence, r.TransactionId, r.DestinationPoints, r.AmountMicros, r.AmountMinor));
    }

    /// <summary>The statements of the given periods in statement order, with what was paid on each.</summary>
    /// <summary>
    /// A statement's lines after <paramref name="afterSequence"/>: the obligations recorded in its period between its payer
    /// and payee in its currency (no obligation is recorded inside a closed period, so the set never grows), read along
    /// the obligations' key within the period's sequence span rather than by time, so paging costs its page, not the period.
    /// </summary>
    private static async Task<IQueryable<ObligationRow>> LinesOfAsync(
        ExchangeDbContext db, string statementId, long afterSequence, CancellationToken cancellationToken)
    {
        var of = await (
            from s in db.Statements
            where s.StatementId == statementId
            join p in db.SettlementPeriods on s.PeriodId equals p.PeriodId
            select new { s.PayerProgramCode, s.PayeeProgramCode, s.CurrencyCode, p.StartMicros, p.EndMicros, p.FirstSequence, p.LastSequence })
            .SingleOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (of is null)
        {
            return db.Obligations.Where(o => false);
        }
        var from = Math.Max(afterSequence + 1, of.FirstSequence);
        return db.Obligations.Where(o => o.Sequence >= from && o.Sequence <= of.LastSequence
            && o.PayerProgramCode == of.PayerProgramCode && o.PayeeProgramCode == of.PayeeProgramCode && o.CurrencyCode == of.CurrencyCode
            && o.CreatedAtMicros >= of.StartMicros && o.CreatedAtMicros < of.EndMicros);
    }

    private static async Task<List<StatementRecord>> StatementsOf(ExchangeDbContext db, List<string> periodIds, CancellationToken cancellationToken)
    {
        var rows = await db.Statements.Where(s => periodIds.Contains(s.PeriodId)).ToListAsync(cancellationToken).ConfigureAwait(false);
        var paid = await (
            from p in db.Payments
            join s in db.Statements on p.StatementId equals s.StatementId
            where periodIds.Contains(s.PeriodId)
            group p.AmountMinor by p.StatementId into g
            select new { StatementId = g.Key, PaidMinor = g.Sum() })
            .ToDictionaryAsync(x => x.StatementId, x => x.PaidMinor, cancellationToken).ConfigureAwait(false);
        var statements = rows.ConvertAll(s => ToRecord(s, paid.GetValueOrDefault(s.StatementId)));
        statements.Sort(SettlementOrder.Statements);
        return statements;
    }

    private static PeriodRecord ToRecord(SettlementPeriodRow row, List<StatementRecord> allStatements)
    {
        var statements = allStatements.FindAll(s => s.PeriodId == row.PeriodId);
        return new PeriodRecord(row.PeriodId, Time.FromMicros(row.StartMicros), Time.FromMicros(row.EndMicros),
            Time.FromMicros(row.ClosedAtMicros), statements.Count, SettlementOrder.NetPositions(statements), row.ContentHash);
    }

    private static StatementRecord ToRecord(StatementRow s, long paidMinor) =>
        new(s.StatementId, s.PeriodId, new StatementParties(s.PayerProgramCode, s.PayeeProgramCode, s.CurrencyCode),
            new StatementTotals(s.LineCount, s.DestinationPoints, s.GrossAmountMicros, s.GrossAmountMinor, s.NetworkFeeMinor, s.AmountDueMinor),
            paidMinor, s.ContentHash, Time.FromMicros(s.CreatedAtMicros));
}
