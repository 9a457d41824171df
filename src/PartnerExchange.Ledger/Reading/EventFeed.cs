using System.Data.Common;
using PartnerExchange.Domain.Ledger;
using PartnerExchange.Ledger.Writing;

namespace PartnerExchange.Ledger.Reading;

/// <summary>One event of a program's feed, as stored.</summary>
public sealed record EventRecord(
    long Cursor,
    string ProgramCode,
    EventKind Kind,
    DateTimeOffset OccurredAt,
    string MemberNumber,
    long Points,
    long BalancePoints,
    string? TransactionId,
    string? ReversesTransactionId,
    string? CounterpartyProgramCode,
    DateTimeOffset? ExpiresAt,
    int WarningDays,
    string? FromProgramCode,
    string? ToProgramCode,
    long RateVersion);

/// <summary>
/// Reads a program's events from the outbox in cursor order, the same on every engine. Events are committed in cursor
/// order by the single writer (and across processes by SQLite's write lock), so a reader that has seen cursor N can
/// never later see a smaller one appear: resuming after N loses nothing and repeats nothing. On PostgreSQL that order
/// across servers is the write side's promise (its outbox's cursors), not this reader's.
/// </summary>
public sealed class EventFeed(LedgerDatabase database, CommitSignal commits)
{
    /// <summary>Completes when this process's writer next commits.</summary>
    public Task NextCommit => commits.NextCommit;

    /// <summary>Up to <paramref name="limit"/> events of the program after <paramref name="afterCursor"/>, in order.</summary>
    public Task<IReadOnlyList<EventRecord>> ReadAfterAsync(string programCode, long afterCursor, int limit, CancellationToken cancellationToken) =>
        Task.FromResult(database.Read((programCode, afterCursor, limit), static (connection, query) =>
        {
            using var reader = connection.Command(
                "SELECT cursor, program_code, kind, occurred_at_micros, member_number, points, balance_points, transaction_id, " +
                "reverses_transaction_id, counterparty_program_code, expires_at_micros, warning_days, from_program_code, to_program_code, " +
                "rate_version FROM events WHERE program_code = @program AND cursor > @after ORDER BY cursor LIMIT @limit",
                ("@program", query.programCode), ("@after", query.afterCursor), ("@limit", query.limit)).ExecuteReader();
            var events = new List<EventRecord>(query.limit);
            while (reader.Read())
            {
                events.Add(new EventRecord(
                    reader.GetInt64(0), reader.GetString(1), (EventKind)reader.GetInt32(2), Time.FromMicros(reader.GetInt64(3)),
                    reader.GetString(4), reader.GetInt64(5), reader.GetInt64(6), StringOrNull(reader, 7), StringOrNull(reader, 8),
                    StringOrNull(reader, 9), reader.IsDBNull(10) ? null : Time.FromMicros(reader.GetInt64(10)), reader.GetInt32(11),
                    StringOrNull(reader, 12), StringOrNull(reader, 13), reader.GetInt64(14)));
            }
            return (IReadOnlyList<EventRecord>)events;
        }, cancellationToken));

    /// <summary>
    /// The cursor of the program's newest event, 0 when it has none. Events retention removed count too, so a stream
    /// from now never starts before them.
    /// </summary>
    public Task<long> LatestCursorAsync(string programCode, CancellationToken cancellationToken) =>
        Task.FromResult(database.Read(programCode, static (connection, program) =>
            (long)connection.Command(
                // The larger of the two as an aggregate over both, which every engine has (SQLite's two-argument MAX is its own).
                "SELECT COALESCE(MAX(newest), 0) FROM (SELECT MAX(cursor) AS newest FROM events WHERE program_code = @program " +
                "UNION ALL SELECT MAX(pruned_through_cursor) FROM event_retention WHERE program_code = @program) AS newest_of_both",
                ("@program", program))
                .ExecuteScalar()!, cancellationToken));

    /// <summary>
    /// The cursor of the program's newest event that retention has removed, 0 when none was: a stream of the program
    /// positioned before it has missed events.
    /// </summary>
    public Task<long> PrunedThroughAsync(string programCode, CancellationToken cancellationToken) =>
        Task.FromResult(database.Read(programCode, static (connection, program) =>
            (long)connection.Command(
                "SELECT COALESCE(MAX(pruned_through_cursor), 0) FROM event_retention WHERE program_code = @program", ("@program", program))
                .ExecuteScalar()!, cancellationToken));

    private static string? StringOrNull(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
