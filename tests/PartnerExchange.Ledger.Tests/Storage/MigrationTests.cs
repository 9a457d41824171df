using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace PartnerExchange.Ledger.Tests.Storage;

public sealed class MigrationTests
{
    [Fact]
    public void Model_ComparedWithCheckedInMigrations_HasNoPendingChanges()
    {
        // A model change without its migration would pass every test on a fresh database yet never reach
        // an existing one: `dotnet ef migrations add <Name>` must come with it.
        var database = new LedgerDatabase(Options.Create(new LedgerOptions { DatabasePath = Path.Combine(Path.GetTempPath(), "px-model-check.db") }));
        using var context = database.CreateContext();

        Assert.False(context.Database.HasPendingModelChanges());
    }
}
