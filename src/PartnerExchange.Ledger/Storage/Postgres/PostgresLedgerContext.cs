using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace PartnerExchange.Ledger.Storage.Postgres;

/// <summary>The ledger model on PostgreSQL; its migrations are in <c>Storage/Postgres/Migrations</c>.</summary>
internal sealed class PostgresLedgerContext(DbContextOptions<PostgresLedgerContext> options) : ExchangeDbContext(options)
{
    /// <summary>
    /// The shared model plus what SQLite's schema gives the writer's hand-written SQL without the model saying so,
    /// spelled out for PostgreSQL: ids of the append-only tables that the database assigns (SQLite's rowid), and the
    /// zero defaults of the columns SQLite's ledger gained by <c>ADD COLUMN … DEFAULT 0</c> (the writer inserts an
    /// account without its totals).
    /// </summary>
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.Entity<PostingRow>().Property(p => p.Id).ValueGeneratedOnAdd().UseIdentityByDefaultColumn();
        modelBuilder.Entity<PointLotRow>().Property(l => l.Id).ValueGeneratedOnAdd().UseIdentityByDefaultColumn();
        modelBuilder.Entity<LotMovementRow>().Property(m => m.Id).ValueGeneratedOnAdd().UseIdentityByDefaultColumn();
        modelBuilder.Entity<AccountRow>(e =>
        {
            e.Property(a => a.LastActivityMicros).HasDefaultValue(0L);
            foreach (var kind in AccountTotalColumns.Kinds)
            {
                e.Property<long>(PropertyName(AccountTotalColumns.Credit(kind))).HasDefaultValue(0L);
                e.Property<long>(PropertyName(AccountTotalColumns.Debit(kind))).HasDefaultValue(0L);
            }
        });
        modelBuilder.Entity<PartnerRow>(e =>
        {
            e.Property(p => p.ExpiryPolicy).HasDefaultValue(0);
            e.Property(p => p.ExpiryMonths).HasDefaultValue(0);
            e.Property(p => p.ExpiryPolicySinceMicros).HasDefaultValue(0L);
        });
    }

    /// <summary>The property behind a snake_case column name: <c>accrual_credit_points</c> → <c>AccrualCreditPoints</c>.</summary>
    private static string PropertyName(string column) =>
        string.Concat(column.Split('_').Select(word => char.ToUpperInvariant(word[0]) + word[1..]));
}

/// <summary>
/// Lets <c>dotnet ef migrations add Name --context PostgresLedgerContext --output-dir Storage/Postgres/Migrations</c>
/// build the model without a server (adding a migration never connects).
/// </summary>
internal sealed class PostgresDesignTimeContextFactory : IDesignTimeDbContextFactory<PostgresLedgerContext>
{
    public PostgresLedgerContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresLedgerContext>().UseNpgsql("Host=localhost;Database=design_time").Options);
}
