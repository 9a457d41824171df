using System.ComponentModel.DataAnnotations;
using Npgsql;
using PartnerExchange.Ledger.Storage;

namespace PartnerExchange.Ledger;

/// <summary>Settings of the ledger's storage and its single writer.</summary>
public sealed class LedgerOptions : IValidatableObject
{
    /// <summary>
    /// Path of the SQLite database file, created with its folder when missing. Required unless <see cref="Postgres"/> is
    /// set, which moves the ledger to PostgreSQL and leaves this path unused.
    /// </summary>
    public string DatabasePath { get; set; } = "";

    /// <summary>
    /// An Npgsql connection string (<c>Host=…;Database=…;Username=…;Password=…</c>) of an existing PostgreSQL database:
    /// when set (<c>Ledger:Postgres</c>, or the environment variable <c>PX_POSTGRES</c>), the ledger lives there and several
    /// exchange servers may share it; unset (the default), it lives in the SQLite file at <see cref="DatabasePath"/>.
    /// Read once at start.
    /// </summary>
    public string? Postgres { get; set; }

    /// <summary>The engine these options choose: PostgreSQL when <see cref="Postgres"/> is set, else SQLite.</summary>
    public LedgerEngine Engine => string.IsNullOrWhiteSpace(Postgres) ? LedgerEngine.Sqlite : LedgerEngine.Postgres;

    /// <summary>
    /// When true (the default), every commit is fsynced (<c>synchronous=FULL</c>): an acknowledged
    /// transaction survives a crash of the machine. Turn off only for throwaway test data.
    /// </summary>
    public bool DurableCommits { get; set; } = true;

    /// <summary>How long a writer waits for a lock held by another process before failing. Default 5 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00",
        ErrorMessage = "Ledger:BusyTimeout must be between 100 ms and 5 minutes.")]
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Most write requests committed together in one database transaction (one fsync). Default 64.</summary>
    [Range(1, 4096, ErrorMessage = "Ledger:MaxGroupSize must be between 1 and 4096.")]
    public int MaxGroupSize { get; set; } = 64;

    /// <summary>
    /// Most write requests waiting for the writer. A full queue refuses new writes with UNAVAILABLE
    /// instead of growing memory. Default 4096.
    /// </summary>
    [Range(1, 1_000_000, ErrorMessage = "Ledger:WriteQueueCapacity must be between 1 and 1,000,000.")]
    public int WriteQueueCapacity { get; set; } = 4096;

    /// <summary>
    /// Most write requests one caller (a partner's program, an operator key, or one of the exchange's jobs)
    /// may have waiting for the writer. A caller over its share is refused with UNAVAILABLE while the others
    /// still get in, so one partner's flood never turns the rest away. At most
    /// <see cref="WriteQueueCapacity"/>. Default 1024.
    /// </summary>
    [Range(1, 1_000_000, ErrorMessage = "Ledger:WriteQueueCapacityPerCaller must be between 1 and 1,000,000.")]
    public int WriteQueueCapacityPerCaller { get; set; } = 1024;

    /// <summary>
    /// Page cache of the writer's connection in MiB. The writer reads the pages of the accounts, lots and
    /// indexes it updates; cached, they are not read back from the file. Bigger is not better: when an index
    /// page splits, SQLite parks a page under a number past the file's end, and the commit then walks every
    /// cached page to drop it, so each commit costs time in proportion to this cache; 8 MiB measured best
    /// (docs/bench/HISTORY.md). Default 8.
    /// </summary>
    [Range(2, 4096, ErrorMessage = "Ledger:WriterCacheMiB must be between 2 and 4096.")]
    public int WriterCacheMiB { get; set; } = 8;

    /// <summary>
    /// How long after a commit the background checkpointer copies the write-ahead log into the database file.
    /// Longer intervals copy a page once for more of its versions, but each copy is a larger burst of writes
    /// that the writer's next fsync may wait behind; 50 ms measured best for p99 (docs/bench/HISTORY.md). Zero
    /// turns the background checkpointer off: the writer then checkpoints inside its commits every 1,000 pages,
    /// as SQLite does by default. Default 50 ms.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00",
        ErrorMessage = "Ledger:CheckpointInterval must be between 0 (off) and 1 minute.")]
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// With the background checkpointer on, pages the write-ahead log may hold before the writer checkpoints it
    /// itself: a backstop for when the background copy falls behind. The log file is also cut back to this
    /// size (at 4 KiB a page) once it is copied. Default 16,384 (64 MiB).
    /// </summary>
    [Range(1_000, 1_000_000, ErrorMessage = "Ledger:WalMaxPages must be between 1,000 and 1,000,000.")]
    public int WalMaxPages { get; set; } = 16_384;

    /// <summary>The default of <see cref="MaxPointsPerTransaction"/>.</summary>
    public const long DefaultMaxPointsPerTransaction = 1_000_000_000_000;

    /// <summary>
    /// Largest number of points one transaction may move on any of its postings (a conversion's source plus fee
    /// and its destination points alike). Default 1,000,000,000,000.
    /// </summary>
    [Range(1L, long.MaxValue, ErrorMessage = "Ledger:MaxPointsPerTransaction must be at least 1.")]
    public long MaxPointsPerTransaction { get; set; } = DefaultMaxPointsPerTransaction;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Engine == LedgerEngine.Sqlite && string.IsNullOrWhiteSpace(DatabasePath))
        {
            yield return new ValidationResult(
                "Set Ledger:DatabasePath (or PX_DATA_DIR) to the SQLite file the ledger lives in, or Ledger:Postgres (PX_POSTGRES) to a " +
                "PostgreSQL database.", [nameof(DatabasePath)]);
        }
        if (Engine == LedgerEngine.Postgres && !IsConnectionString(Postgres!))
        {
            // The value itself is never repeated: it may hold a password.
            yield return new ValidationResult(
                "Ledger:Postgres (PX_POSTGRES) is not an Npgsql connection string: write it as Host=…;Database=…;Username=…;Password=….",
                [nameof(Postgres)]);
        }
        if (WriteQueueCapacityPerCaller > WriteQueueCapacity)
        {
            yield return new ValidationResult(
                $"Ledger:WriteQueueCapacityPerCaller ({WriteQueueCapacityPerCaller}) must not exceed Ledger:WriteQueueCapacity " +
                $"({WriteQueueCapacity}): lower the share or raise the capacity.",
                [nameof(WriteQueueCapacityPerCaller)]);
        }
    }

    private static bool IsConnectionString(string value)
    {
        try
        {
            _ = new NpgsqlConnectionStringBuilder(value);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
