using PartnerExchange.Domain.Money;
using PartnerExchange.Ledger.Writing;

namespace PartnerExchange.Ledger.Stores;

/// <summary>
/// Settlement obligations, and beside them each partner's open total per currency (the absolute amounts of its
/// obligations in no statement yet).
/// </summary>
internal interface IObligationStore
{
    void Insert(NewObligation obligation);

    /// <summary>The obligation a transaction recorded, or null.</summary>
    RecordedObligation? Find(long sequence);

    /// <summary>Writes the negative of the original's obligation under the reversal's sequence.</summary>
    void InsertNegation(long originalSequence, long reversalSequence, long recordedAtMicros);

    /// <summary>The larger of two partners' open totals in a currency (0 when neither has one).</summary>
    long LargestOpenMicros(string currencyCode, string payerProgramCode, string payeeProgramCode);

    /// <summary>Adds an obligation's absolute amount to its payer's and payee's open totals.</summary>
    void AddOpen(RecordedObligation obligation);

    /// <summary>Takes an amount off a partner's open total, unless the total does not cover it: whether it did.</summary>
    bool TryTakeOffOpen(string programCode, string currencyCode, long micros);
}

/// <summary>A new obligation row.</summary>
internal sealed record NewObligation(
    long Sequence, string PayerProgramCode, string PayeeProgramCode, long DestinationPoints, long PointPriceMicros,
    SettlementAmount Amount, long RecordedAtMicros);
