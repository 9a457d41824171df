using System.ComponentModel.DataAnnotations;

namespace PartnerExchange.Server.Expiry;

/// <summary>Settings of points expiry (section <c>Expiry</c>).</summary>
public sealed class ExpiryOptions : IValidatableObject
{
    /// <summary>Whether the background job runs expiry as of now, at start and then every <see cref="RunInterval"/>. Default true.</summary>
    public bool JobEnabled { get; set; } = true;

    /// <summary>How often the background job runs. Default 15 minutes.</summary>
    public TimeSpan RunInterval { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Horizons, in days before points expire, at which an EXPIRY_WARNING event is sent (once each). Default 30 and 7.
    /// </summary>
    public int[] WarningDays { get; set; } = [30, 7];

    /// <summary>Horizons, in days, over which GetAccount reports what will expire. Default 30, 60 and 90.</summary>
    public int[] AccountHorizonDays { get; set; } = [30, 60, 90];

    /// <summary>
    /// Member accounts expired plus warnings sent per ledger transaction of a run: bounds how long one batch holds the
    /// writer, and so how long a partner's write can wait behind it (an expiry costs about as much as a conversion;
    /// see docs/bench/HISTORY.md). A dry run takes no batches: it only reads. Default 8.
    /// </summary>
    [Range(1, 100_000, ErrorMessage = "Expiry:BatchSize must be between 1 and 100,000.")]
    public int BatchSize { get; set; } = 8;

    /// <summary>Most batches one run executes; a run that reaches it stops and the next run goes on. Default 100,000.</summary>
    [Range(1, 1_000_000, ErrorMessage = "Expiry:MaxBatchesPerRun must be between 1 and 1,000,000.")]
    public int MaxBatchesPerRun { get; set; } = 100_000;

    /// <summary>The longest horizon accepted, in days.</summary>
    public const int MaxHorizonDays = 3_660;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (RunInterval < TimeSpan.FromSeconds(1) || RunInterval > TimeSpan.FromDays(1))
        {
            yield return new ValidationResult("Expiry:RunInterval must be between 00:00:01 and 1.00:00:00.", [nameof(RunInterval)]);
        }
        foreach (var (days, name) in new[] { (WarningDays, nameof(WarningDays)), (AccountHorizonDays, nameof(AccountHorizonDays)) })
        {
            if (days.Length is 0 or > 10 || days.Any(d => d is < 1 or > MaxHorizonDays))
            {
                yield return new ValidationResult(
                    $"Expiry:{name} must list 1 to 10 horizons, each between 1 and {MaxHorizonDays} days.", [name]);
            }
        }
    }
}
