using PartnerExchange.Ledger.Reading;

namespace PartnerExchange.Ledger.Storage.Copy;

/// <summary>One table as the copy found it on both sides: rows and content digest in key order.</summary>
/// <param name="Name">The table.</param>
/// <param name="SourceRows">Rows in the SQLite ledger.</param>
/// <param name="SourceDigest">SHA-256 of the SQLite ledger's rows, in key order, each value as the model types it.</param>
/// <param name="TargetRows">Rows in PostgreSQL after the copy.</param>
/// <param name="TargetDigest">The same digest of the rows PostgreSQL holds after the copy.</param>
public sealed record CopiedTable(string Name, long SourceRows, string SourceDigest, long TargetRows, string TargetDigest)
{
    /// <summary>True when both sides hold the same rows.</summary>
    public bool Matches => SourceRows == TargetRows && string.Equals(SourceDigest, TargetDigest, StringComparison.Ordinal);
}

/// <summary>
/// What a copy did and how it checked it. The copy is committed only when <see cref="Ok"/>: every table matches and
/// the ledger verifies clean on both sides; otherwise it was rolled back and the target holds no ledger rows.
/// </summary>
/// <param name="Source">The SQLite file copied.</param>
/// <param name="Target">The PostgreSQL database, described without its password.</param>
/// <param name="MigrationsApplied">The migrations this copy applied to the target first (none when it was migrated already).</param>
/// <param name="Tables">Every table of the ledger model, by name.</param>
/// <param name="SourceVerification">The ledger's invariants on the SQLite snapshot that was copied.</param>
/// <param name="TargetVerification">The ledger's invariants on PostgreSQL, inside the copy's transaction before its commit.</param>
/// <param name="Committed">True when the copy was committed.</param>
public sealed record LedgerCopyReport(
    string Source,
    string Target,
    IReadOnlyList<string> MigrationsApplied,
    IReadOnlyList<CopiedTable> Tables,
    LedgerVerification SourceVerification,
    LedgerVerification TargetVerification,
    bool Committed)
{
    /// <summary>True when every table matches and both ledgers verify clean.</summary>
    public bool Ok => Tables.All(t => t.Matches) && SourceVerification.Ok && TargetVerification.Ok;
}

/// <summary>A copy or backup refused before it changed anything: the message says why and what to do.</summary>
public sealed class LedgerCopyException : Exception
{
    public LedgerCopyException()
    {
    }

    public LedgerCopyException(string message)
        : base(message)
    {
    }

    public LedgerCopyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
