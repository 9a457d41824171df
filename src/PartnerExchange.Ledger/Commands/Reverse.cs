using PartnerExchange.Domain;
using PartnerExchange.Domain.Ledger;
using PartnerExchange.Ledger.Stores;
using PartnerExchange.Ledger.Writing;

namespace PartnerExchange.Ledger.Commands;

/// <summary>
/// Undoes one earlier transaction of the caller in full, at most once: every posting is negated, and a
/// conversion's settlement obligation is cancelled by a negative one.
/// </summary>
public sealed record Reverse(string ProgramCode, string TransactionId, string Reference) : LedgerCommand<PostedMovement>
{
    internal override Outcome<PostedMovement> Execute(LedgerWriteTransaction tx)
    {
        var caller = Partners.Active(tx, ProgramCode);
        if (!caller.IsSuccess)
        {
            return caller.Refusal;
        }
        var original = tx.Transactions.FindRequested(TransactionId, ProgramCode);
        if (original is null)
        {
            // The destination side of a conversion sees it but may not undo it; any other partner's
            // transaction answers exactly like one that does not exist.
            return tx.Transactions.PostsTo(TransactionId, ProgramCode)
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
        if (tx.Transactions.FindReversalOf(original.Sequence) is { } reversalId)
        {
            return Refusal.Of(ErrorReason.AlreadyReversed, "The transaction has already been reversed.",
                ("reversal_transaction_id", reversalId));
        }
        // Points that expired are gone already: taking them back again would charge the member twice.
        if (tx.Lots.AnyExpiredFrom(original.Sequence))
        {
            return Refusal.Of(ErrorReason.NotReversible, "Points this transaction credited have expired; it can no longer be reversed.");
        }
        // Undoing a conversion moves points in the destination program too, which a suspension forbids.
        if (original.CounterpartyProgramCode is { } counterparty
            && Partners.Active(tx, counterparty, side: "destination") is { IsSuccess: false } suspended)
        {
            return suspended.Refusal;
        }
        var obligation = Obligations.Find(tx, original.Sequence);
        if (obligation is not null
            && Obligations.RefuseBeyondOpenLimit(tx, obligation.PayerProgramCode, obligation.PayeeProgramCode, obligation.CurrencyCode,
                obligation.AmountMicros) is { } beyond)
        {
            return beyond;
        }
        var header = new NewTransaction(
            TransactionKind.Reversal, ProgramCode, Reference, ReversesSequence: original.Sequence,
            ReversesTransactionId: TransactionId, CounterpartyProgramCode: original.CounterpartyProgramCode);
        var posted = TransactionWriter.Post(tx, header, PostingRules.Reversal(tx.Transactions.LoadPostings(original.Sequence)));
        if (posted.IsSuccess && obligation is not null)
        {
            Obligations.Cancel(tx, original.Sequence, posted.Value.Transaction.Sequence, obligation);
        }
        return posted;
    }
}
