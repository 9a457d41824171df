using PartnerExchange.Domain.Ledger;
using PartnerExchange.Ledger.Stores;
using PartnerExchange.Ledger.Writing;

namespace PartnerExchange.Ledger.Engines.Postgres;

/// <summary>The transactions and postings tables.</summary>
internal sealed class PostgresTransactionStore(PostgresWriteTransaction tx) : ITransactionStore
{
    public void Insert(long sequence, string transactionId, NewTransaction header)
    {
        var request = tx.Request;
        tx.Execute(
            "INSERT INTO transactions (sequence, transaction_id, kind, requester_program_code, api_key_id, idempotency_key, " +
            "request_fingerprint, created_at_micros, reference, accrual_reason, reverses_sequence, reverses_transaction_id, " +
            "rate_id, rate_version, counterparty_program_code, fee_points) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, " +
            "$12, $13, $14, $15, $16)",
            sequence, transactionId, (int)header.Kind, header.RequesterProgramCode, request.ApiKeyId, request.IdempotencyKey,
            request.RequestFingerprint, tx.NowMicros, header.Reference, header.AccrualReason, header.ReversesSequence,
            header.ReversesTransactionId, header.RateId, header.RateVersion, header.CounterpartyProgramCode, header.FeePoints);
    }

    public void InsertPosting(long sequence, long accountId, PostingLine line) =>
        tx.Execute(
            "INSERT INTO postings (sequence, account_id, program_code, account_kind, member_number, amount_points) VALUES ($1, $2, $3, $4, $5, $6)",
            sequence, accountId, line.Account.ProgramCode, (int)line.Account.Kind, line.Account.MemberNumber ?? "", line.AmountPoints);

    public RequestedTransaction? FindRequested(string transactionId, string requesterProgramCode)
    {
        using var reader = tx.Query(
            "SELECT sequence, kind, counterparty_program_code FROM transactions WHERE transaction_id = $1 AND requester_program_code = $2",
            transactionId, requesterProgramCode);
        return reader.Read()
            ? new RequestedTransaction(reader.GetInt64(0), (TransactionKind)reader.GetInt32(1), reader.IsDBNull(2) ? null : reader.GetString(2))
            : null;
    }

    public bool PostsTo(string transactionId, string programCode) =>
        tx.Scalar(
            "SELECT 1 FROM transactions t JOIN postings p ON p.sequence = t.sequence WHERE t.transaction_id = $1 AND p.program_code = $2 LIMIT 1",
            transactionId, programCode) is not null;

    public string? FindReversalOf(long sequence) =>
        tx.QueryString("SELECT transaction_id FROM transactions WHERE reverses_sequence = $1", sequence);

    public List<PostingLine> LoadPostings(long sequence)
    {
        var lines = new List<PostingLine>();
        using var reader = tx.Query(
            "SELECT program_code, account_kind, member_number, amount_points FROM postings WHERE sequence = $1 ORDER BY id", sequence);
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
        tx.Scalar("SELECT sequence FROM transactions WHERE transaction_id = $1", transactionId);
}
