using PartnerExchange.Domain.Ledger;
using PartnerExchange.Ledger.Writing;

namespace PartnerExchange.Ledger.Stores;

/// <summary>The append-only transactions and their postings.</summary>
internal interface ITransactionStore
{
    /// <summary>Writes a transaction's header as the current request's, at the transaction's moment.</summary>
    void Insert(long sequence, string transactionId, NewTransaction header);

    void InsertPosting(long sequence, long accountId, PostingLine line);

    /// <summary>A transaction the program requested, by its id; null when it has none with this id.</summary>
    RequestedTransaction? FindRequested(string transactionId, string requesterProgramCode);

    /// <summary>Whether the transaction (by id) posted to an account of the program.</summary>
    bool PostsTo(string transactionId, string programCode);

    /// <summary>The id of the reversal of the transaction numbered <paramref name="sequence"/>, if any.</summary>
    string? FindReversalOf(long sequence);

    /// <summary>A transaction's posting lines, in the order written.</summary>
    List<PostingLine> LoadPostings(long sequence);

    /// <summary>The sequence of a transaction by its id, or null.</summary>
    long? SequenceOf(string transactionId);
}

/// <summary>What a reversal needs of the transaction it undoes.</summary>
internal sealed record RequestedTransaction(long Sequence, TransactionKind Kind, string? CounterpartyProgramCode);
