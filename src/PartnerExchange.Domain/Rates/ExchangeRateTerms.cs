namespace PartnerExchange.Domain.Rates;

/// <summary>
/// A directed exchange rate between two programs: <see cref="FromPoints"/> points of the source program
/// buy <see cref="ToPoints"/> points of the destination program (1000:800 gives 800 for every 1000).
/// </summary>
/// <param name="FromPoints">The source side of the ratio.</param>
/// <param name="ToPoints">The destination side of the ratio.</param>
/// <param name="MinSourcePoints">The smallest source amount a member may convert.</param>
/// <param name="MaxSourcePoints">The largest source amount a member may convert in one conversion.</param>
/// <param name="IncrementPoints">The source amount must be a multiple of this.</param>
/// <param name="MemberFeePoints">Source points charged to the member on top of the amount converted.</param>
/// <param name="BonusBasisPoints">Extra destination points, in 1/100 of a percent of the base amount.</param>
/// <param name="BonusStartsAt">When the bonus starts (inclusive); null with <paramref name="BonusEndsAt"/> null means always.</param>
/// <param name="BonusEndsAt">When the bonus ends (exclusive); null with <paramref name="BonusStartsAt"/> null means always.</param>
public sealed record ExchangeRateTerms(
    long FromPoints,
    long ToPoints,
    long MinSourcePoints,
    long MaxSourcePoints,
    long IncrementPoints,
    long MemberFeePoints,
    int BonusBasisPoints,
    DateTimeOffset? BonusStartsAt,
    DateTimeOffset? BonusEndsAt)
{
    /// <summary>The largest <see cref="FromPoints"/> or <see cref="ToPoints"/>.</summary>
    public const long MaxRatioPoints = 1_000_000_000;

    /// <summary>The largest <see cref="MaxSourcePoints"/>.</summary>
    public const long MaxSourcePointsLimit = 1_000_000_000_000;

    /// <summary>The largest <see cref="MemberFeePoints"/>.</summary>
    public const long MaxMemberFeePoints = 1_000_000_000;

    /// <summary>The largest <see cref="BonusBasisPoints"/>: +1000 %.</summary>
    public const int MaxBonusBasisPoints = 100_000;

    /// <summary>Basis points in one whole (100 %).</summary>
    public const int BasisPointsPerWhole = 10_000;

    /// <summary>
    /// True when the bonus applies at <paramref name="at"/>: a positive bonus and
    /// <c>BonusStartsAt ≤ at &lt; BonusEndsAt</c>. A rate with no window has its bonus always on.
    /// </summary>
    public bool IsBonusActiveAt(DateTimeOffset at) =>
        BonusBasisPoints > 0
        && (BonusStartsAt is not { } startsAt || startsAt <= at)
        && (BonusEndsAt is not { } endsAt || at < endsAt);

    /// <summary>
    /// Checks the terms, naming fields as the API does (snake_case). Beyond each field's range it
    /// requires the minimum and maximum to be multiples of the increment, the minimum conversion to
    /// yield at least one destination point, and a bonus window to be either complete with start
    /// before end, or absent.
    /// </summary>
    /// <returns>The violations, empty when the terms are valid.</returns>
    public static IReadOnlyList<FieldViolation> Validate(ExchangeRateTerms terms)
    {
        ArgumentNullException.ThrowIfNull(terms);
        var violations = new List<FieldViolation>();
        ValidateRatio(terms, violations);
        ValidateAmounts(terms, violations);
        ValidateBonus(terms, violations);
        return violations;
    }

    private static void ValidateRatio(ExchangeRateTerms terms, List<FieldViolation> violations)
    {
        if (terms.FromPoints is < 1 or > MaxRatioPoints)
        {
            violations.Add(new("from_points", "must be between 1 and 1000000000"));
        }

        if (terms.ToPoints is < 1 or > MaxRatioPoints)
        {
            violations.Add(new("to_points", "must be between 1 and 1000000000"));
        }
    }

    private static void ValidateAmounts(ExchangeRateTerms terms, List<FieldViolation> violations)
    {
        var incrementValid = terms.IncrementPoints >= 1;
        if (!incrementValid)
        {
            violations.Add(new("increment_points", "must be at least 1"));
        }

        if (terms.MinSourcePoints < 1)
        {
            violations.Add(new("min_source_points", "must be at least 1"));
        }
        else if (incrementValid && terms.MinSourcePoints % terms.IncrementPoints != 0)
        {
            violations.Add(new("min_source_points", "must be a multiple of increment_points"));
        }
        else if (terms.FromPoints is >= 1 and <= MaxRatioPoints && terms.ToPoints is >= 1 and <= MaxRatioPoints
            && (Int128)terms.MinSourcePoints * terms.ToPoints < terms.FromPoints)
        {
            // Otherwise a member could be charged the minimum and receive nothing.
            violations.Add(new("min_source_points", "must convert to at least one destination point at this rate"));
        }

        if (terms.MaxSourcePoints < terms.MinSourcePoints || terms.MaxSourcePoints > MaxSourcePointsLimit)
        {
            violations.Add(new("max_source_points", "must be at least min_source_points and at most 1000000000000"));
        }
        else if (incrementValid && terms.MaxSourcePoints % terms.IncrementPoints != 0)
        {
            violations.Add(new("max_source_points", "must be a multiple of increment_points"));
        }

        if (terms.MemberFeePoints is < 0 or > MaxMemberFeePoints)
        {
            violations.Add(new("member_fee_points", "must be between 0 and 1000000000"));
        }
    }

    private static void ValidateBonus(ExchangeRateTerms terms, List<FieldViolation> violations)
    {
        if (terms.BonusBasisPoints is < 0 or > MaxBonusBasisPoints)
        {
            violations.Add(new("bonus_basis_points", "must be between 0 and 100000 (+1000%)"));
        }

        // A half-open window is ambiguous (forever from, or forever until?), so it is refused even with no bonus.
        switch (terms.BonusStartsAt, terms.BonusEndsAt)
        {
            case (null, not null):
                violations.Add(new("bonus_start_time", "must be set when bonus_end_time is set"));
                break;
            case (not null, null):
                violations.Add(new("bonus_end_time", "must be set when bonus_start_time is set"));
                break;
            case ({ } startsAt, { } endsAt) when startsAt >= endsAt:
                violations.Add(new("bonus_end_time", "must be after bonus_start_time"));
                break;
        }
    }
}
