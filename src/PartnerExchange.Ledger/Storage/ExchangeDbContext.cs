using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace PartnerExchange.Ledger.Storage;

/// <summary>
/// The EF Core model of the exchange, one for both engines. It owns the schema and serves the read side; the
/// write side runs hand-written SQL over the same tables (see <c>Writing/</c>). Each engine has a context of its
/// own (<see cref="Sqlite.SqliteLedgerContext"/>, <see cref="Postgres.PostgresLedgerContext"/>) only so that EF
/// Core keeps one migration set and one model snapshot per engine: they add nothing to the model.
/// </summary>
internal abstract class ExchangeDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<PartnerRow> Partners => Set<PartnerRow>();
    public DbSet<ApiKeyRow> ApiKeys => Set<ApiKeyRow>();
    public DbSet<AccountRow> Accounts => Set<AccountRow>();
    public DbSet<TransactionRow> Transactions => Set<TransactionRow>();
    public DbSet<PostingRow> Postings => Set<PostingRow>();
    public DbSet<ObligationRow> Obligations => Set<ObligationRow>();
    public DbSet<OpenObligationTotalRow> OpenObligationTotals => Set<OpenObligationTotalRow>();
    public DbSet<RateRow> Rates => Set<RateRow>();
    public DbSet<IdempotencyRow> IdempotencyRecords => Set<IdempotencyRow>();
    public DbSet<SettingRow> Settings => Set<SettingRow>();
    public DbSet<SettlementPeriodRow> SettlementPeriods => Set<SettlementPeriodRow>();
    public DbSet<StatementRow> Statements => Set<StatementRow>();
    public DbSet<PaymentRow> Payments => Set<PaymentRow>();
    public DbSet<PointLotRow> PointLots => Set<PointLotRow>();
    public DbSet<LotMovementRow> LotMovements => Set<LotMovementRow>();
    public DbSet<ExpiryWarningRow> ExpiryWarnings => Set<ExpiryWarningRow>();
    public DbSet<EventRow> Events => Set<EventRow>();
    public DbSet<EventRetentionRow> EventRetention => Set<EventRetentionRow>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<PartnerRow>(e =>
        {
            e.ToTable("partners");
            e.HasKey(p => p.ProgramCode);
        });
        modelBuilder.Entity<ApiKeyRow>(e =>
        {
            e.ToTable("api_keys");
            e.HasKey(k => k.KeyId);
            e.HasIndex(k => k.ProgramCode);
        });
        modelBuilder.Entity<AccountRow>(e =>
        {
            e.ToTable("accounts");
            e.HasKey(a => a.Id);
            e.HasIndex(a => new { a.ProgramCode, a.Kind, a.MemberNumber }).IsUnique();
        });
        modelBuilder.Entity<TransactionRow>(e =>
        {
            e.ToTable("transactions");
            e.HasKey(t => t.Sequence);
            e.Property(t => t.Sequence).ValueGeneratedNever();
            e.HasIndex(t => t.TransactionId).IsUnique();
            // A transaction can be reversed once: the unique index is the last line of defence. Only reversals
            // are in it, so other transactions do not each add an entry.
            e.HasIndex(t => t.ReversesSequence).IsUnique().HasFilter("reverses_sequence IS NOT NULL");
            // No index by requester: every read of a program's transactions goes through its member postings, and
            // one that no query used cost every write an entry and each commit another page.
        });
        modelBuilder.Entity<PostingRow>(e =>
        {
            e.ToTable("postings");
            e.HasKey(p => p.Id);
            AppendOnlyRowIds(e.Property(p => p.Id));
            // Covers an account's history and its totals, which read the amount beside the sequence.
            e.HasIndex(p => new { p.AccountId, p.Sequence, p.AmountPoints });
            e.HasIndex(p => new { p.ProgramCode, p.Sequence });
            e.HasIndex(p => p.Sequence);
        });
        modelBuilder.Entity<ObligationRow>(e =>
        {
            e.ToTable("obligations");
            e.HasKey(o => o.Sequence);
            e.Property(o => o.Sequence).ValueGeneratedNever();
            // Closing a period reads its obligations by time; nothing reads them by partner pair, so no index does (each
            // index is one more page for every conversion's commit to write).
            e.HasIndex(o => o.CreatedAtMicros);
        });
        modelBuilder.Entity<OpenObligationTotalRow>(e =>
        {
            e.ToTable("open_obligation_totals");
            e.HasKey(t => new { t.ProgramCode, t.CurrencyCode });
        });
        modelBuilder.Entity<RateRow>(e =>
        {
            e.ToTable("exchange_rates");
            e.HasKey(r => r.Id);
            e.HasIndex(r => new { r.FromProgramCode, r.ToProgramCode, r.Version }).IsUnique();
            // The rate in effect at a moment is the pair's latest effective one: read backwards along this index,
            // it is the first row, with no sort (every conversion asks).
            e.HasIndex(r => new { r.FromProgramCode, r.ToProgramCode, r.EffectiveAtMicros, r.Version });
        });
        modelBuilder.Entity<IdempotencyRow>(e =>
        {
            e.ToTable("idempotency_records");
            // Exactly-once: one record per (principal, key), written in the same transaction as its effect.
            e.HasKey(i => new { i.Principal, i.IdempotencyKey });
        });
        modelBuilder.Entity<SettingRow>(e =>
        {
            e.ToTable("settings");
            e.HasKey(s => s.Name);
        });
        ConfigureSettlement(modelBuilder);
        ConfigureExpiryAndEvents(modelBuilder);
        UseSnakeCaseColumns(modelBuilder);
    }

    private static void ConfigureSettlement(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<SettlementPeriodRow>(e =>
        {
            e.ToTable("settlement_periods");
            e.HasKey(p => p.PeriodId);
            // Closing the same bounds twice finds the first period; overlaps are refused by the writer.
            e.HasIndex(p => new { p.StartMicros, p.EndMicros }).IsUnique();
        });
        modelBuilder.Entity<StatementRow>(e =>
        {
            e.ToTable("statements");
            e.HasKey(s => s.StatementId);
            e.HasIndex(s => new { s.PeriodId, s.PayerProgramCode, s.PayeeProgramCode, s.CurrencyCode }).IsUnique();
        });
        modelBuilder.Entity<PaymentRow>(e =>
        {
            e.ToTable("payments");
            e.HasKey(p => p.PaymentId);
            e.HasIndex(p => new { p.StatementId, p.CreatedAtMicros });
        });
    }

    /// <summary>
    /// Ids of a ledger table no row is ever deleted from: an INTEGER PRIMARY KEY without AUTOINCREMENT, so
    /// SQLite gives each new row the largest id so far plus one. That never reuses an id here, and it spares
    /// every insert the read and rewrite of AUTOINCREMENT's bookkeeping row (docs/bench/HISTORY.md). The writer's
    /// SQL leaves the id out and EF never inserts these rows, so to EF the value is never generated. Events
    /// keep AUTOINCREMENT: their id is the feed cursor, which must never be reused even if old events are
    /// one day pruned.
    /// </summary>
    private static void AppendOnlyRowIds(PropertyBuilder<long> id) => id.ValueGeneratedNever();

    private static void ConfigureExpiryAndEvents(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<PointLotRow>(e =>
        {
            e.ToTable("point_lots");
            e.HasKey(l => l.Id);
            AppendOnlyRowIds(e.Property(l => l.Id));
            // Spending takes an account's open lots oldest first, and a member's expiring points add up its open
            // lots by expiry: both read only these columns, so neither touches the table however many lots a
            // member holds (every accrual opens one).
            e.HasIndex(l => new { l.AccountId, l.Id, l.ExpiresAtMicros, l.RemainingPoints }).HasFilter("remaining_points > 0");
            // The expiry run finds open lots by expiry time. Undated lots never expire, so they stay out: a spend or
            // an accrual in a program whose points never expire then writes nothing to this index.
            e.HasIndex(l => l.ExpiresAtMicros).HasFilter("remaining_points > 0 AND expires_at_micros IS NOT NULL");
            // Every spend adds up the member's open lots past their date: only dated lots, so it reads none of
            // the lots of a program whose points never expire, and never a hot member's thousands of live ones.
            e.HasIndex(l => new { l.AccountId, l.ExpiresAtMicros, l.RemainingPoints })
                .HasFilter("remaining_points > 0 AND expires_at_micros IS NOT NULL");
            e.HasIndex(l => l.Sequence);
        });
        modelBuilder.Entity<LotMovementRow>(e =>
        {
            e.ToTable("lot_movements");
            e.HasKey(m => m.Id);
            AppendOnlyRowIds(e.Property(m => m.Id));
            e.HasIndex(m => m.Sequence);
            // A reversal asks whether an expiry took from its lots.
            e.HasIndex(m => m.LotId);
        });
        modelBuilder.Entity<ExpiryWarningRow>(e =>
        {
            e.ToTable("expiry_warnings");
            // One warning per lot (or inactive balance), horizon and expiry moment: re-runs send none twice.
            e.HasKey(w => new { w.AccountId, w.LotId, w.HorizonDays, w.BasisMicros });
        });
        modelBuilder.Entity<EventRow>(e =>
        {
            e.ToTable("events");
            e.HasKey(v => v.Cursor);
            // Only the feed's index. The audit matches events to transactions in one pass of each, so no index by
            // transaction is kept for it: every commit would write one more page.
            e.HasIndex(v => new { v.ProgramCode, v.Cursor });
        });
        modelBuilder.Entity<EventRetentionRow>(e =>
        {
            e.ToTable("event_retention");
            e.HasKey(r => r.ProgramCode);
        });
    }

    // Hand-written SQL on the write path names columns in snake_case; one convention keeps both in step.
    private static void UseSnakeCaseColumns(ModelBuilder modelBuilder)
    {
        foreach (var entity in modelBuilder.Model.GetEntityTypes())
        {
            foreach (var property in entity.GetProperties())
            {
                property.SetColumnName(SnakeCase(property.Name));
            }
        }
    }

    internal static string SnakeCase(string name)
    {
        var builder = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c) && i > 0)
            {
                builder.Append('_');
            }
            builder.Append(char.ToLowerInvariant(c));
        }
        return builder.ToString();
    }
}
