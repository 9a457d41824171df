using PartnerExchange.Domain;
using PartnerExchange.Domain.Ledger;
using PartnerExchange.Ledger.Writing;

namespace PartnerExchange.Ledger.Commands;

/// <summary>
/// Undoes one earlier transaction of the caller in full, at most once: every posting is negated, and a
/// conversion's settlement obligation is cancelled by a negative one.
/// </summary>
public sealed record Reverse(string ProgramCode, string TransactionId, string Reference) : LedgerCommand<PostedMovement>
{
    internal override Outcome<PostedMovement> Execute(WriteSession session)
    {
        var caller = Partners.Active(session, ProgramCode);
        if (!caller.IsSuccess)
        {
            return caller.Refusal;
        }
        var original = FindOriginal(session);
        if (original is null)
        {
            // The destination side of a conversion sees it but may not undo it; any other partner's
            // transaction answers exactly like one that does not exist.
            return TouchesCallerProgram(session)
                ? Refusal.Of(ErrorReason.NotReversible, "Only the partner that requested a transaction can reverse it.")
                : Transactions.NotFound();
        }
        if (original.Kind is TransactionKind.Reversal)
        {
            return Refusal.Of(ErrorReason.NotReversible, "A reversal cannot itself be reversed.");
        }
        // An operator's correction is the operators' to undo, by a further adjustment.
        if (original.Kind is TransactionKind.Adjustment)
        {
            return Refusal.Of(ErrorReason.NotReversible, "An operator's adjustment cannot be reversed by the partner.");
        }
        // Expired points are gone by the program's own rules; giving them back would only re-expire them.
        if (original.Kind is TransactionKind.Expiry)
        {
            return Refusal.Of(ErrorReason.NotReversible, "An expiry cannot be reversed.");
        }
        if (FindReversal(session, original.Sequence) is { } reversalId)
        {
            return Refusal.Of(ErrorReason.AlreadyReversed, "The transaction has already been reversed.",
                ("reversal_transaction_id", reversalId));
        }
        // Points that expired are gone already: taking them back again would charge the member twice.
        if (HasExpiredPoints(session, original.Sequence))
        {
            return Refusal.Of(ErrorReason.NotReversible, "Points this transaction credited have expired; it can no longer be reversed.");
        }
        // Undoing a conversion moves points in the destination program too, which a suspension forbids.
        if (original.CounterpartyProgramCode is { } counterparty
            && Partners.Active(session, counterparty, side: "destination") is { IsSuccess: false } suspended)
        {
            return suspended.Refusal;
        }
        var obligation = Obligations.Find(session, original.Sequence);
        if (obligation is not null
            && Obligations.RefuseBeyondOpenLimit(session, obligation.PayerProgramCode, obligation.PayeeProgramCode, obligation.CurrencyCode,
                obligation.AmountMicros) is { } beyond)
        {
            return beyond;
        }
        var header = new NewTransaction(
            TransactionKind.Reversal, ProgramCode, Reference, ReversesSequence: original.Sequence,
            ReversesTransactionId: TransactionId, CounterpartyProgramCode: original.CounterpartyProgramCode);
        var posted = TransactionWriter.Post(session, header, PostingRules.Reversal(LoadPostings(session, original.Sequence)));
        if (posted.IsSuccess && obligation is not null)
        {
            Obligations.Cancel(session, original.Sequence, posted.Value.Transaction.Sequence, obligation);
        }
        return posted;
    }

    private sealed record Original(long Sequence, TransactionKind Kind, string? CounterpartyProgramCode);

    private Original? FindOriginal(WriteSession session)
    {
        using var reader = session.Query(
            "SELECT sequence, kind, counterparty_program_code FROM transactions WHERE transaction_id = $id AND requester_program_code = $program",
            ("$id", TransactionId), ("$program", ProgramCode));
        return reader.Read()
            ? new Original(reader.GetInt64(0), (TransactionKind)reader.GetInt32(1), reader.IsDBNull(2) ? null : reader.GetString(2))
            : null;
    }

    private bool TouchesCallerProgram(WriteSession session) =>
        session.Scalar(
            "SELECT 1 FROM transactions t JOIN postings p ON p.sequence = t.sequence " +
            "WHERE t.transaction_id = $id AND p.program_code = $program LIMIT 1",
            ("$id", TransactionId), ("$program", ProgramCode)) is not null;

    private static bool HasExpiredPoints(WriteSession session, long sequence) =>
        session.Scalar(
            "SELECT 1 FROM point_lots l JOIN lot_movements m ON m.lot_id = l.id JOIN transactions t ON t.sequence = m.sequence " +
            "WHERE l.sequence = $seq AND t.kind = $expiry AND m.points < 0 LIMIT 1",
            ("$seq", sequence), ("$expiry", (int)TransactionKind.Expiry)) is not null;

    private static string? FindReversal(WriteSession session, long sequence)
    {
        using var reader = session.Query("SELECT transaction_id FROM transactions WHERE reverses_sequence = $seq", ("$seq", sequence));
        return reader.Read() ? reader.GetString(0) : null;
    }

    private static List<PostingLine> LoadPostings(WriteSession session, long sequence)
    {
        var lines = new List<PostingLine>();
        using var reader = session.Query(
            "SELECT program_code, account_kind, member_number, amount_points FROM postings WHERE sequence = $seq ORDER BY id",
            ("$seq", sequence));
        while (reader.Read())
        {
            var kind = (AccountKind)reader.GetInt32(1);
            var account = kind == AccountKind.Member
                ? AccountRef.Member(reader.GetString(0), reader.GetString(2))
                : AccountRef.System(reader.GetString(0), kind);
            lines.Add(new PostingLine(account, reader.GetInt64(3)));
        }
        return lines;
    }
}
