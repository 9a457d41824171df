using PartnerExchange.Domain;
using PartnerExchange.Domain.Ledger;
using PartnerExchange.Ledger.Planning;
using PartnerExchange.Ledger.Stores;
using PartnerExchange.Ledger.Writing;

namespace PartnerExchange.Ledger.Expiry;

/// <summary>What one expiry batch did (or, in a dry run, would do).</summary>
/// <param name="ExpiredPoints">Points expired.</param>
/// <param name="ExpiredAccounts">EXPIRY transactions posted, one per member account.</param>
/// <param name="Warnings">Warning events emitted, one per member account and horizon.</param>
/// <param name="Full">The batch used its whole budget: more may be due, so run another.</param>
public sealed record ExpiryBatchResult(long ExpiredPoints, long ExpiredAccounts, long Warnings, bool Full);

/// <summary>
/// Expires, as of a moment, up to <paramref name="Budget"/> member accounts' due points and then emits
/// the warnings due, shortest horizon first, within what is left of the budget. Each account's expiry is
/// its own balanced EXPIRY transaction that takes exactly the lots it expires, so running again (or
/// after a crash) finds nothing left to expire twice; each warning is recorded per lot (or inactive
/// balance) and horizon, so none is sent twice. A dry run does all of it and then rolls it back.
/// </summary>
/// <param name="AsOf">The moment to expire as of.</param>
/// <param name="ProgramCode">Only this program; null for all.</param>
/// <param name="WarningDays">The warning horizons in days.</param>
/// <param name="Budget">Most accounts expired plus warnings emitted in this batch.</param>
/// <param name="DryRun">
/// Report and roll back. The exchange's dry runs are <see cref="ExpiryForecast"/>s, which never take the writer; this
/// one is the writer's own account of a run, which the forecast is checked against.
/// </param>
public sealed record ExpireBatch(DateTimeOffset AsOf, string? ProgramCode, IReadOnlyList<int> WarningDays, int Budget, bool DryRun)
    : LedgerCommand<ExpiryBatchResult>
{
    internal override bool DiscardsWrites => DryRun;

    internal override Outcome<ExpiryBatchResult> Execute(LedgerWriteTransaction tx)
    {
        // The API refuses both; reaching here with either is a bug (a zero budget would loop its caller forever).
        ArgumentOutOfRangeException.ThrowIfLessThan(Budget, 1);
        if (!DryRun && AsOf > tx.Now)
        {
            throw new InvalidOperationException("A real expiry run cannot be as of a moment that has not come.");
        }
        if (ProgramCode is not null && Lookups.Partner(tx, ProgramCode) is null)
        {
            return Commands.Partners.NotFound(ProgramCode);
        }
        var expiries = ExpiryPlanner.DueExpiries(tx, AsOf, ProgramCode, Budget);
        var expiredPoints = 0L;
        foreach (var due in expiries)
        {
            Expire(tx, due);
            expiredPoints += due.Points;
        }
        var budget = Budget - expiries.Count;
        var warnings = 0L;
        foreach (var (horizon, coveredDays) in ExpiryPlan.WarningHorizons(AsOf, tx.Now, WarningDays))
        {
            if (budget <= 0)
            {
                break;
            }
            var due = ExpiryPlanner.DueWarnings(tx, horizon, ProgramCode, budget);
            foreach (var warning in due)
            {
                Warn(tx, warning, horizon, coveredDays);
            }
            warnings += due.Count;
            budget -= due.Count;
        }
        return new ExpiryBatchResult(expiredPoints, expiries.Count, warnings, Full: budget <= 0);
    }

    private void Expire(LedgerWriteTransaction tx, DueExpiry due)
    {
        // Under a lot lifetime only the lots expired by AsOf go; an inactive balance goes whole.
        var header = new NewTransaction(TransactionKind.Expiry, due.ProgramCode, $"expiry as of {AsOf.UtcDateTime:O}")
        {
            ExpiredByMicros = due.WholeBalance ? null : AsOf.ToUnixMicros(),
        };
        var posted = TransactionWriter.Post(tx, header, PostingRules.Expiry(due.ProgramCode, due.MemberNumber, due.Points));
        if (!posted.IsSuccess)
        {
            throw new InvalidOperationException($"Expiring {due.Points} points of account {due.AccountId} was refused: {posted.Refusal.Reason}.");
        }
    }

    /// <summary>
    /// One event for the account and horizon; the points it covers count as warned at every longer horizon
    /// too, so a late run never follows a 7-day warning with a stale 30-day one.
    /// </summary>
    private static void Warn(LedgerWriteTransaction tx, DueWarning warning, ExpiryHorizon horizon, List<int> coveredDays)
    {
        foreach (var days in coveredDays)
        {
            if (warning.InactiveSinceMicros is { } inactiveSince)
            {
                tx.Expiry.RecordInactivityWarning(warning.AccountId, days, inactiveSince);
            }
            else
            {
                tx.Expiry.RecordLotWarnings(warning.AccountId, days, horizon);
            }
        }
        tx.Events.Append(new NewEvent(warning.ProgramCode, EventKind.ExpiryWarning)
        {
            MemberNumber = warning.MemberNumber,
            Points = warning.Points,
            ExpiresAtMicros = warning.ExpiresAtMicros,
            WarningDays = warning.HorizonDays,
        });
    }
}
