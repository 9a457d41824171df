using Microsoft.Data.Sqlite;

namespace PartnerExchange.Ledger.Tests.Infrastructure;

/// <summary>A test of migrations on older ledgers, each in a folder of the test's own that goes when it ends.</summary>
public abstract class MigrationTest : IDisposable
{
    /// <summary>Where the test's ledger files live.</summary>
    internal string Folder { get; } = Path.Combine(Path.GetTempPath(), "px-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        // Pooled connections would keep the files open.
        SqliteConnection.ClearAllPools();
        if (disposing && Directory.Exists(Folder))
        {
            Directory.Delete(Folder, recursive: true);
        }
    }
}
