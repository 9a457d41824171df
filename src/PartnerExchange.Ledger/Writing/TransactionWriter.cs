using PartnerExchange.Domain;
using PartnerExchange.Domain.Ledger;
using PartnerExchange.Ledger.Commands;

namespace PartnerExchange.Ledger.Writing;

/// <summary>The header of a new ledger transaction, before its postings.</summary>
internal sealed record NewTransaction(
    TransactionKind Kind,
    string RequesterProgramCode,
    string Reference,
    int AccrualReason = 0,
    long? ReversesSequence = null,
    string? ReversesTransactionId = null,
    long? RateId = null,
    long? RateVersion = null,
    string? CounterpartyProgramCode = null,
    long FeePoints = 0)
{
    /// <summary>For an expiry: the moment the lots it takes had expired by (microseconds).</summary>
    public long? ExpiredByMicros { get; init; }

    /// <summary>How the transaction's member lines move lots.</summary>
    public LotIntent Lots => new(Kind, ReversesSequence, ExpiredByMicros);
}

/// <summary>
/// Writes a transaction header, its postings, its lot movements and its events as one step, and shows it
/// as its requester sees it.
/// </summary>
internal static class TransactionWriter
{
    public static Outcome<PostedMovement> Post(
        WriteSession session, NewTransaction header, IReadOnlyList<PostingLine> lines)
    {
        var planned = session.PlanPostings(lines, header.Lots);
        if (!planned.IsSuccess)
        {
            return planned.Refusal;
        }
        var request = session.Request;
        var sequence = session.TakeSequence();
        var transactionId = "tx_" + Guid.CreateVersion7(session.Now).ToString("N");
        session.Execute(
            "INSERT INTO transactions (sequence, transaction_id, kind, requester_program_code, api_key_id, idempotency_key, " +
            "request_fingerprint, created_at_micros, reference, accrual_reason, reverses_sequence, reverses_transaction_id, " +
            "rate_id, rate_version, counterparty_program_code, fee_points) VALUES ($seq, $id, $kind, $requester, $key_id, " +
            "$idem, $fingerprint, $now, $reference, $reason, $reverses, $reverses_id, $rate_id, $rate_version, $counterparty, $fee)",
            ("$seq", sequence), ("$id", transactionId), ("$kind", (int)header.Kind), ("$requester", header.RequesterProgramCode),
            ("$key_id", request.ApiKeyId), ("$idem", request.IdempotencyKey), ("$fingerprint", request.RequestFingerprint),
            ("$now", session.NowMicros), ("$reference", header.Reference), ("$reason", header.AccrualReason),
            ("$reverses", header.ReversesSequence), ("$reverses_id", header.ReversesTransactionId), ("$rate_id", header.RateId),
            ("$rate_version", header.RateVersion), ("$counterparty", header.CounterpartyProgramCode), ("$fee", header.FeePoints));
        var posted = session.Post(sequence, planned.Value, header.Lots);
        if (!posted.IsSuccess)
        {
            return posted.Refusal;
        }
        var balances = posted.Value;
        foreach (var line in lines.Where(l => l.Account.IsMember))
        {
            LedgerEvents.Append(session, LedgerEvents.ForMemberLine(header, transactionId, line, balances[line.Account]));
        }
        // The requester's view: its own program's member line (every kind has exactly one per program).
        var memberLine = lines.First(l => l.Account.IsMember && l.Account.ProgramCode == header.RequesterProgramCode);
        var view = new TransactionView(
            transactionId, sequence, header.Kind, header.RequesterProgramCode, memberLine.Account.MemberNumber!,
            memberLine.AmountPoints, header.AccrualReason, header.Reference, session.Now, header.ReversesTransactionId,
            header.CounterpartyProgramCode, header.RateVersion, header.FeePoints);
        return new PostedMovement(view, balances[memberLine.Account]);
    }
}
