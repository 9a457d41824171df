namespace PartnerExchange.Domain.Expiry;

/// <summary>How a program's points expire. Values are stored: never renumber, only append.</summary>
public enum ExpiryPolicyKind
{
    /// <summary>Points never expire.</summary>
    None = 0,
    /// <summary>Each credited lot expires a fixed number of calendar months after it was credited.</summary>
    LotLifetime = 1,
    /// <summary>The whole balance expires a fixed number of calendar months after the last activity.</summary>
    Inactivity = 2,
}

/// <summary>
/// A program's expiry policy. Months are calendar months in UTC: a lot credited on 31 January with a
/// one-month lifetime expires on the last day of February at the same time of day.
/// </summary>
public sealed record ExpiryPolicy(ExpiryPolicyKind Kind, int Months)
{
    /// <summary>The longest lifetime or inactivity period a policy may set.</summary>
    public const int MaxMonths = 120;

    /// <summary>Points never expire.</summary>
    public static readonly ExpiryPolicy Never = new(ExpiryPolicyKind.None, 0);

    /// <summary>True when the kind and months go together (months 1–120 unless the kind is None, then 0).</summary>
    public bool IsValid => Kind switch
    {
        ExpiryPolicyKind.None => Months == 0,
        ExpiryPolicyKind.LotLifetime or ExpiryPolicyKind.Inactivity => Months is >= 1 and <= MaxMonths,
        _ => false,
    };

    /// <summary>When a lot credited at <paramref name="creditedAt"/> expires, or null when lots carry no date.</summary>
    public DateTimeOffset? LotExpiresAt(DateTimeOffset creditedAt) =>
        Kind == ExpiryPolicyKind.LotLifetime ? creditedAt.ToUniversalTime().AddMonths(Months) : null;

    /// <summary>
    /// When a balance last active at <paramref name="lastActivity"/> expires under a policy in force since
    /// <paramref name="policySince"/>, or null under any other policy. The clock runs from the later of the two:
    /// a change of policy applies from then on, so it never makes a balance lapse before its warnings could
    /// announce the new deadline.
    /// </summary>
    public DateTimeOffset? InactivityDeadline(DateTimeOffset lastActivity, DateTimeOffset policySince) =>
        Kind == ExpiryPolicyKind.Inactivity ? InactivityClockStart(lastActivity, policySince).ToUniversalTime().AddMonths(Months) : null;

    /// <summary>What an inactivity deadline runs from: the later of the last activity and the policy's start.</summary>
    public static DateTimeOffset InactivityClockStart(DateTimeOffset lastActivity, DateTimeOffset policySince) =>
        lastActivity >= policySince ? lastActivity : policySince;

    /// <summary>
    /// The latest moment, in whole microseconds, whose <see cref="Months"/>-month deadline has passed by
    /// <paramref name="asOf"/>: a time t has <c>t + Months ≤ asOf</c> exactly when t is at or before it.
    /// Month lengths differ, so this is found by bisection over AddMonths (monotonic), not by subtracting.
    /// </summary>
    public long LatestExpiredMicros(DateTimeOffset asOf)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Months, 1);
        var limitTicks = asOf.UtcTicks;
        // Subtracting months clamps the day, so this moment's deadline falls on or before asOf.
        var low = ToMicros(asOf.ToUniversalTime().AddMonths(-Months));
        var high = ToMicros(asOf.ToUniversalTime());
        while (low < high)
        {
            var middle = low + ((high - low + 1) / 2);
            if (FromMicros(middle).AddMonths(Months).UtcTicks <= limitTicks)
            {
                low = middle;
            }
            else
            {
                high = middle - 1;
            }
        }
        return low;
    }

    private static long ToMicros(DateTimeOffset time) => (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    private static DateTimeOffset FromMicros(long micros) => DateTimeOffset.UnixEpoch.AddTicks(micros * 10);
}
