using System.Globalization;
using PartnerExchange.Domain.Ledger;
using PartnerExchange.Ledger.Stores;

namespace PartnerExchange.Ledger.Engines.Postgres;

/// <summary>The point_lots and lot_movements tables.</summary>
internal sealed class PostgresLotStore(PostgresWriteTransaction tx) : ILotStore
{
    private const string OpenLotsOfAccount = "SELECT id, remaining_points FROM point_lots WHERE account_id = $1 AND remaining_points > 0 ";

    // Each selection's SQL with its LIMIT written in, built once, as on SQLite: the chunk sizes are few, so are the statements.
    private readonly Dictionary<(LotSelectionKind, int), string> _readOpenSql = [];

    /// <summary>The open points of an account past their date, read from the dated-lots index (its partial condition repeated).</summary>
    internal const string ExpiredUnpostedSql =
        "SELECT COALESCE(SUM(remaining_points), 0)::bigint FROM point_lots WHERE account_id = $1 AND remaining_points > 0 " +
        "AND expires_at_micros IS NOT NULL AND expires_at_micros <= $2";

    public void Open(long accountId, long sequence, long earnedAtMicros, long? expiresAtMicros, long points) =>
        tx.Execute(
            "INSERT INTO point_lots (account_id, sequence, earned_at_micros, expires_at_micros, original_points, remaining_points) " +
            "VALUES ($1, $2, $3, $4, $5, $5)",
            accountId, sequence, earnedAtMicros, expiresAtMicros, points);

    public void ReadOpen(long accountId, LotSelection selection, int limit, List<OpenLot> lots)
    {
        lots.Clear();
        var sql = ReadOpenSql(selection.Kind, limit);
        using var reader = selection.Kind == LotSelectionKind.Any
            ? tx.Query(sql, accountId)
            : tx.Query(sql, accountId, selection.BoundMicrosOrSequence);
        while (reader.Read())
        {
            lots.Add(new OpenLot(reader.GetInt64(0), reader.GetInt64(1)));
        }
    }

    private string ReadOpenSql(LotSelectionKind kind, int limit)
    {
        if (!_readOpenSql.TryGetValue((kind, limit), out var sql))
        {
            var filter = kind switch
            {
                LotSelectionKind.Any => "",
                LotSelectionKind.UnexpiredAt => "AND (expires_at_micros IS NULL OR expires_at_micros > $2) ",
                LotSelectionKind.ExpiredBy => "AND expires_at_micros <= $2 ",
                LotSelectionKind.OpenedBy => "AND sequence = $2 ",
                _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "No such selection of lots."),
            };
            sql = OpenLotsOfAccount + filter + "ORDER BY id LIMIT " + limit.ToString(CultureInfo.InvariantCulture);
            _readOpenSql.Add((kind, limit), sql);
        }
        return sql;
    }

    public void ReadTaken(long accountId, long sequence, List<LotMove> taken)
    {
        using var reader = tx.Query(
            "SELECT m.lot_id, -m.points FROM lot_movements m JOIN point_lots l ON l.id = m.lot_id " +
            "WHERE m.sequence = $1 AND l.account_id = $2 AND m.points < 0 ORDER BY m.id",
            sequence, accountId);
        while (reader.Read())
        {
            taken.Add(new LotMove(reader.GetInt64(0), -reader.GetInt64(1)));
        }
    }

    public void Move(long sequence, LotMove move)
    {
        var updated = tx.Execute(
            "UPDATE point_lots SET remaining_points = remaining_points + $1 WHERE id = $2 " +
            "AND remaining_points + $1 >= 0 AND remaining_points + $1 <= original_points",
            move.Points, move.LotId);
        if (updated != 1)
        {
            throw new InvalidOperationException($"Lot {move.LotId} cannot move by {move.Points} points.");
        }
        tx.Execute("INSERT INTO lot_movements (sequence, lot_id, points) VALUES ($1, $2, $3)", sequence, move.LotId, move.Points);
    }

    public long ExpiredPoints(long accountId, long nowMicros) => tx.Scalar(ExpiredUnpostedSql, accountId, nowMicros) ?? 0;

    public void ExpireOpenLotsBy(long accountId, long deadlineMicros) =>
        tx.Execute(
            "UPDATE point_lots SET expires_at_micros = $1 WHERE account_id = $2 AND remaining_points > 0 " +
            "AND (expires_at_micros IS NULL OR expires_at_micros > $1)",
            deadlineMicros, accountId);

    public bool AnyExpiredFrom(long openedBySequence) =>
        tx.Scalar(
            "SELECT 1 FROM point_lots l JOIN lot_movements m ON m.lot_id = l.id JOIN transactions t ON t.sequence = m.sequence " +
            "WHERE l.sequence = $1 AND t.kind = $2 AND m.points < 0 LIMIT 1",
            openedBySequence, (int)TransactionKind.Expiry) is not null;
}
