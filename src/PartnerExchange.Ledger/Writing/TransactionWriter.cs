using PartnerExchange.Domain;
using PartnerExchange.Domain.Ledger;
using PartnerExchange.Ledger.Commands;
using PartnerExchange.Ledger.Planning;
using PartnerExchange.Ledger.Stores;

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
        LedgerWriteTransaction tx, NewTransaction header, IReadOnlyList<PostingLine> lines)
    {
        var planned = PlanPostings(tx, lines, header.Lots);
        if (!planned.IsSuccess)
        {
            return planned.Refusal;
        }
        var sequence = tx.TakeSequence();
        var transactionId = "tx_" + Guid.CreateVersion7(tx.Now).ToString("N");
        tx.Transactions.Insert(sequence, transactionId, header);
        var posted = Post(tx, header.Kind, sequence, planned.Value, header.Lots);
        if (!posted.IsSuccess)
        {
            return posted.Refusal;
        }
        var balances = posted.Value;
        PostingLine? memberLine = null;
        foreach (var line in lines)
        {
            if (!line.Account.IsMember)
            {
                continue;
            }
            tx.Events.Append(LedgerEvents.ForMemberLine(header, transactionId, line, balances[line.Account]));
            // The requester's view: its own program's member line (every kind has exactly one per program).
            if (memberLine is null && line.Account.ProgramCode == header.RequesterProgramCode)
            {
                memberLine = line;
            }
        }
        if (memberLine is not { } requesterLine)
        {
            throw new InvalidOperationException("A transaction has no member line in its requester's program.");
        }
        var view = new TransactionView(
            transactionId, sequence, header.Kind, header.RequesterProgramCode, requesterLine.Account.MemberNumber!,
            requesterLine.AmountPoints, header.AccrualReason, header.Reference, tx.Now, header.ReversesTransactionId,
            header.CounterpartyProgramCode, header.RateVersion, header.FeePoints);
        return new PostedMovement(view, balances[requesterLine.Account]);
    }

    /// <summary>
    /// Checks balanced postings against their accounts before anything is written: each line's account and its
    /// balance before and after, or the refusal (see <see cref="PostingPlanner.BalanceAfter"/>).
    /// Refusing before the first write lets the writer skip the savepoint it would otherwise need to undo one.
    /// </summary>
    private static Outcome<PlannedLine[]> PlanPostings(LedgerWriteTransaction tx, IReadOnlyList<PostingLine> lines, LotIntent lots)
    {
        if (!PostingRules.IsBalanced(lines))
        {
            throw new InvalidOperationException("Unbalanced postings.");
        }
        var planned = new PlannedLine[lines.Count];
        // Should a transaction post to one account twice, the second line starts from the first's result.
        var running = new Dictionary<AccountRef, long>(lines.Count);
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            var (accountId, stored) = FindOrOpenAccount(tx, line.Account);
            var before = running.GetValueOrDefault(line.Account, stored);
            var expired = PostingPlanner.SpendsOnlyUnexpired(line, lots)
                ? Lots.ExpiredUnposted(tx, accountId, line.Account.ProgramCode, before)
                : 0;
            var after = PostingPlanner.BalanceAfter(line, before, lots, expired);
            if (!after.IsSuccess)
            {
                return after.Refusal;
            }
            running[line.Account] = after.Value;
            planned[i] = new PlannedLine(line, accountId, before, after.Value);
        }
        return planned;
    }

    /// <summary>
    /// Writes planned postings: balances change by compare-and-set, so a concurrent writer can never be
    /// overwritten. Member lines also move the account's lots as <paramref name="lots"/> says, and activity
    /// resets its inactivity clock. Refused with BALANCE_OVERFLOW, after writing part of the request (which the
    /// writer then rolls back), when an account's lifetime total of the kind would pass int64.
    /// </summary>
    private static Outcome<Dictionary<AccountRef, long>> Post(
        LedgerWriteTransaction tx, TransactionKind kind, long sequence, PlannedLine[] planned, LotIntent lots)
    {
        var balances = new Dictionary<AccountRef, long>(planned.Length);
        foreach (var (line, accountId, before, after) in planned)
        {
            var isActivity = line.Account.IsMember && lots.IsActivity;
            if (isActivity)
            {
                Lots.KeepLapsedBalanceExpiring(tx, accountId, line.Account.ProgramCode);
            }
            switch (tx.Accounts.TryUpdateBalance(new BalanceChange(line.Account, accountId, kind, sequence, line.AmountPoints, before, after, isActivity)))
            {
                case BalanceUpdate.Updated:
                    break;
                case BalanceUpdate.TotalWouldOverflow:
                    return Refusal.Of(ErrorReason.BalanceOverflow,
                        "An account's lifetime total of this kind of transaction would pass the largest integer the ledger holds.");
                default:
                    // Another balance than planned: a writer it must never overwrite (a bug or a second writer).
                    throw new InvalidOperationException($"Account {accountId} changed under the writer.");
            }
            if (line.Account.IsMember)
            {
                if (line.AmountPoints > 0)
                {
                    Lots.Credit(tx, accountId, line.Account, sequence, line.AmountPoints, lots);
                }
                else
                {
                    Lots.Debit(tx, accountId, sequence, -line.AmountPoints, lots);
                }
            }
            tx.Transactions.InsertPosting(sequence, accountId, line);
            balances[line.Account] = after;
        }
        return balances;
    }

    private static (long Id, long BalancePoints) FindOrOpenAccount(LedgerWriteTransaction tx, AccountRef account)
    {
        if (tx.Accounts.Find(account) is { } found)
        {
            return found;
        }
        // Member accounts exist only through enrollment; commands check that before posting.
        if (account.Kind == AccountKind.Member)
        {
            throw new InvalidOperationException($"Posting to member {account.MemberNumber} who is not enrolled.");
        }
        return (tx.Accounts.Open(account), 0);
    }
}

/// <summary>One posting line checked against its account: the balance it finds and the one it leaves.</summary>
internal readonly record struct PlannedLine(PostingLine Line, long AccountId, long BalanceBeforePoints, long BalanceAfterPoints);
