using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace PartnerExchange.Ledger.Storage.Sqlite;

/// <summary>The ledger model on SQLite; its migrations are in <c>Storage/Sqlite/Migrations</c>.</summary>
internal sealed class SqliteLedgerContext(DbContextOptions<SqliteLedgerContext> options) : ExchangeDbContext(options);

/// <summary>
/// Lets <c>dotnet ef migrations add Name --context SqliteLedgerContext --output-dir Storage/Sqlite/Migrations</c>
/// build the model without starting the server.
/// </summary>
internal sealed class SqliteDesignTimeContextFactory : IDesignTimeDbContextFactory<SqliteLedgerContext>
{
    public SqliteLedgerContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteLedgerContext>().UseSqlite("Data Source=design-time.db").Options);
}
