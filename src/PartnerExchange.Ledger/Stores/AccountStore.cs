using PartnerExchange.Domain.Ledger;

namespace PartnerExchange.Ledger.Stores;

/// <summary>The accounts: one per (program, member) and the system accounts of each program.</summary>
internal interface IAccountStore
{
    /// <summary>The id and balance of an account, or null when it does not exist.</summary>
    (long Id, long BalancePoints)? Find(AccountRef account);

    /// <summary>Opens an account with a zero balance: its id.</summary>
    long Open(AccountRef account);

    /// <summary>
    /// Moves an account's balance from <see cref="BalanceChange.BeforePoints"/> to <see cref="BalanceChange.AfterPoints"/>
    /// only if it still holds the former (compare-and-set: no writer is ever overwritten, whatever locking the
    /// engine uses), and adds the amount to the account's lifetime totals of the transaction's kind.
    /// </summary>
    BalanceUpdate TryUpdateBalance(in BalanceChange change);

    /// <summary>
    /// For a member account holding points: its last activity and when its program's expiry policy took effect
    /// (what an inactivity deadline runs from); null when the balance is zero.
    /// </summary>
    (long LastActivityMicros, long PolicySinceMicros)? InactivityClock(long accountId);
}

/// <summary>One posting's change to its account, as <see cref="IAccountStore.TryUpdateBalance"/> applies it.</summary>
internal readonly record struct BalanceChange(
    AccountRef Account, long AccountId, TransactionKind Kind, long Sequence, long AmountPoints, long BeforePoints, long AfterPoints,
    bool IsActivity);

/// <summary>What a conditional balance update found.</summary>
internal enum BalanceUpdate
{
    /// <summary>The balance and totals moved.</summary>
    Updated,

    /// <summary>A lifetime total of the kind would pass the largest int64: nothing moved (an ordinary refusal).</summary>
    TotalWouldOverflow,

    /// <summary>The balance was not the one expected: another writer changed it (a bug; never overwritten).</summary>
    BalanceChanged,
}
