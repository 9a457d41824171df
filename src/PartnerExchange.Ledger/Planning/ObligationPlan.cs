using System.Globalization;
using PartnerExchange.Domain;
using PartnerExchange.Domain.Settlement;

namespace PartnerExchange.Ledger.Planning;

/// <summary>Whether a settlement obligation may be recorded, over plain values (no I/O).</summary>
internal static class ObligationPlan
{
    /// <summary>
    /// Refuses with <see cref="ErrorReason.BalanceOverflow"/> an obligation of <paramref name="amountMicros"/> (either
    /// sign) that would take the larger of its payer's and payee's open totals, <paramref name="largestOpenMicros"/>,
    /// past <see cref="StatementMath.MaxOpenObligationMicros"/>; null when it fits.
    /// </summary>
    public static Refusal? RefuseBeyondOpenLimit(long largestOpenMicros, long amountMicros) =>
        largestOpenMicros <= StatementMath.MaxOpenObligationMicros - Math.Abs(amountMicros)
            ? null
            : Refusal.Of(ErrorReason.BalanceOverflow,
                "The partners' obligations not yet in a statement would exceed what a settlement period can total; close a period first.",
                ("open_micros_max", StatementMath.MaxOpenObligationMicros.ToString(CultureInfo.InvariantCulture)));

    /// <summary>
    /// When an obligation recorded at <paramref name="nowMicros"/> belongs: then, or the end of the latest closed period
    /// should the clock read earlier (a clock stepped back), so it never lands in a period already closed.
    /// </summary>
    public static long RecordedAtMicros(long nowMicros, long latestClosedPeriodEndMicros) => Math.Max(nowMicros, latestClosedPeriodEndMicros);
}
