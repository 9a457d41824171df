using PartnerExchange.Domain;
using PartnerExchange.Domain.Ledger;
using PartnerExchange.Ledger.Stores;
using PartnerExchange.Ledger.Writing;

namespace PartnerExchange.Ledger.Commands;

/// <summary>Enrolls a member number in the caller's program.</summary>
public sealed record EnrollMember(string ProgramCode, string MemberNumber) : LedgerCommand<MemberRecord>
{
    internal override Outcome<MemberRecord> Execute(LedgerWriteTransaction tx)
    {
        var caller = Partners.Active(tx, ProgramCode);
        if (!caller.IsSuccess)
        {
            return caller.Refusal;
        }
        if (Lookups.IsEnrolled(tx, ProgramCode, MemberNumber))
        {
            return Refusal.Of(ErrorReason.MemberAlreadyEnrolled, "The member is already enrolled in this program.");
        }
        tx.Accounts.Open(AccountRef.Member(ProgramCode, MemberNumber));
        return new MemberRecord(ProgramCode, MemberNumber, tx.Now);
    }
}

/// <summary>Gives points to a member: a number of points, or a purchase turned into points by the earn rule.</summary>
public sealed record Accrue(
    string ProgramCode,
    string MemberNumber,
    long? Points,
    long? PurchaseAmountMinor,
    string? PurchaseCurrencyCode,
    int AccrualReason,
    string Reference,
    long MaxPointsPerTransaction) : LedgerCommand<PostedMovement>
{
    internal override Outcome<PostedMovement> Execute(LedgerWriteTransaction tx)
    {
        var caller = Members.ActiveCallerOf(tx, ProgramCode, MemberNumber);
        if (!caller.IsSuccess)
        {
            return caller.Refusal;
        }
        var points = PointsToAccrue(caller.Value);
        if (!points.IsSuccess)
        {
            return points.Refusal;
        }
        var header = new NewTransaction(TransactionKind.Accrual, ProgramCode, Reference, AccrualReason);
        return TransactionWriter.Post(tx, header, PostingRules.Accrual(ProgramCode, MemberNumber, points.Value));
    }

    private Outcome<long> PointsToAccrue(PartnerRecord caller)
    {
        if (Points is { } direct)
        {
            return direct;
        }
        if (caller.EarnRule is null)
        {
            return Refusal.Of(ErrorReason.CurrencyMismatch, "The program has no earn rule; accrue points directly.");
        }
        var earned = caller.EarnRule.PointsFor(PurchaseAmountMinor ?? 0, PurchaseCurrencyCode ?? "");
        if (earned.IsSuccess && earned.Value < 1)
        {
            return Refusal.Invalid([new FieldViolation("purchase.amount_minor", "The purchase earns no points under the program's earn rule.")]);
        }
        if (earned.IsSuccess && earned.Value > MaxPointsPerTransaction)
        {
            return Refusal.Invalid([new FieldViolation("purchase.amount_minor", "The purchase earns more points than one transaction may move.")]);
        }
        return earned;
    }
}

/// <summary>Takes points from a member for a reward.</summary>
public sealed record Redeem(string ProgramCode, string MemberNumber, long Points, string Reference) : LedgerCommand<PostedMovement>
{
    internal override Outcome<PostedMovement> Execute(LedgerWriteTransaction tx)
    {
        var caller = Members.ActiveCallerOf(tx, ProgramCode, MemberNumber);
        if (!caller.IsSuccess)
        {
            return caller.Refusal;
        }
        var header = new NewTransaction(TransactionKind.Redemption, ProgramCode, Reference);
        return TransactionWriter.Post(tx, header, PostingRules.Redemption(ProgramCode, MemberNumber, Points));
    }
}

/// <summary>The refusal shared by the reads and commands that look a transaction up by its id.</summary>
public static class Transactions
{
    /// <summary>The caller's program has no transaction with this id (another partner's answers the same).</summary>
    public static Refusal NotFound() =>
        Refusal.Of(ErrorReason.TransactionNotFound, "The caller has no transaction with this id.");
}

/// <summary>Checks shared by the commands that act on members.</summary>
public static class Members
{
    /// <summary>The refusal for a member not enrolled in the caller's program (or in another program).</summary>
    public static Refusal NotFound() =>
        Refusal.Of(ErrorReason.MemberNotFound, "No member with this number is enrolled in the caller's program.");

    /// <summary>The caller's partner record, when it is active and the member is enrolled in its program.</summary>
    internal static Outcome<PartnerRecord> ActiveCallerOf(LedgerWriteTransaction tx, string programCode, string memberNumber)
    {
        var caller = Partners.Active(tx, programCode);
        if (caller.IsSuccess && !Lookups.IsEnrolled(tx, programCode, memberNumber))
        {
            return NotFound();
        }
        return caller;
    }
}

/// <summary>Partner checks shared by the commands and the services.</summary>
public static class Partners
{
    /// <summary>The refusal for a program code no partner has.</summary>
    public static Refusal NotFound(string programCode) =>
        Refusal.Of(ErrorReason.PartnerNotFound, "No partner has this program code.", ("program_code", programCode));

    /// <summary>The caller's partner record, refused when suspended.</summary>
    internal static Outcome<PartnerRecord> Active(LedgerWriteTransaction tx, string programCode, string side = "caller")
    {
        var partner = Lookups.Partner(tx, programCode);
        if (partner is null)
        {
            return NotFound(programCode);
        }
        if (partner.Suspended)
        {
            return Refusal.Of(ErrorReason.PartnerSuspended, "The partner is suspended; points cannot move.", ("side", side));
        }
        return partner;
    }
}
