using PartnerExchange.Domain.Ledger;
using PartnerExchange.Ledger.Stores;
using PartnerExchange.Ledger.Writing;

namespace PartnerExchange.Ledger.Engines.Sqlite;

/// <summary>The transactions and postings tables.</summary>
internal sealed class SqliteTransactionStore(SqliteWriteTransaction tx) : ITransactionStore
{
    public void Insert(long sequence, string transactionId, NewTransaction header)
    {
        var request = tx.Request;
        tx.Execute(
            "INSERT INTO transactions (sequence, transaction_id, kind, requester_program_code, api_key_id, idempotency_key, " +
            "request_fingerprint, created_at_micros, reference, accrual_reason, reverses_sequence, reverses_transaction_id, " +
            "rate_id, rate_version, counterparty_program_code, fee_points) VALUES ($seq, $id, $kind, $requester, $key_id, " +
            "$idem, $fingerprint, $now, $reference, $reason, $reverses, $reverses_id, $rate_id, $rate_version, $counterparty, $fee)",
            ("$seq", sequence), ("$id", transactionId), ("$kind", (int)header.Kind), ("$requester", header.RequesterProgramCode),
            ("$key_id", request.ApiKeyId), ("$idem", request.IdempotencyKey), ("$fingerprint", request.RequestFingerprint),
            ("$now", tx.NowMicros), ("$reference", header.Reference), ("$reason", header.AccrualReason),
            ("$reverses", header.ReversesSequence), ("$reverses_id", header.ReversesTransactionId), ("$rate_id", header.RateId),
            ("$rate_version", header.RateVersion), ("$counterparty", header.CounterpartyProgramCode), ("$fee", header.FeePoints));
    }

    public void InsertPosting(long sequence, long accountId, PostingLine line) =>
        tx.Execute(
            "INSERT INTO postings (sequence, account_id, program_code, account_kind, member_number, amount_points) " +
            "VALUES ($seq, $account, $program, $kind, $member, $amount)",
            ("$seq", sequence), ("$account", accountId), ("$program", line.Account.ProgramCode),
            ("$kind", (int)line.Account.Kind), ("$member", line.Account.MemberNumber ?? ""),
            ("$amount", line.AmountPoints));

    public RequestedTransaction? FindRequested(string transactionId, string requesterProgramCode)
    {
        using var reader = tx.Query(
            "SELECT sequence, kind, counterparty_program_code FROM transactions WHERE transaction_id = $id AND requester_program_code = $program",
            ("$id", transactionId), ("$program", requesterProgramCode));
        return reader.Read()
            ? new RequestedTransaction(reader.GetInt64(0), (TransactionKind)reader.GetInt32(1), reader.IsDBNull(2) ? null : reader.GetString(2))
            : null;
    }

    public bool PostsTo(string transactionId, string programCode) =>
        tx.Scalar(
            "SELECT 1 FROM transactions t JOIN postings p ON p.sequence = t.sequence " +
            "WHERE t.transaction_id = $id AND p.program_code = $program LIMIT 1",
            ("$id", transactionId), ("$program", programCode)) is not null;

    public string? FindReversalOf(long sequence) =>
        tx.QueryString("SELECT transaction_id FROM transactions WHERE reverses_sequence = $seq", ("$seq", sequence));

    public List<PostingLine> LoadPostings(long sequence)
    {
        var lines = new List<PostingLine>();
        using var reader = tx.Query(
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

    public long? SequenceOf(string transactionId) =>
        tx.Scalar("SELECT sequence FROM transactions WHERE transaction_id = $id", ("$id", transactionId));
}
