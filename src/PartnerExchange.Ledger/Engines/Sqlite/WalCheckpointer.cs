using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace PartnerExchange.Ledger.Engines.Sqlite;

/// <summary>
/// Copies committed pages from the write-ahead log into the database file on a connection and thread of
/// its own, so the writer never stops to do it. SQLite's own checkpoint runs inside the commit that crosses
/// its threshold: that commit's whole group waits for the copy and the database file's fsync, and with
/// small logs the pages every conversion touches (system accounts, table ends) are copied again and again.
/// Here the log grows for <see cref="LedgerOptions.CheckpointInterval"/> after a commit, each page is copied
/// once for all its versions in that time, and the writer goes on committing meanwhile. A passive
/// checkpoint never blocks the writer or a reader. The writer restarts the log once it is all copied; under
/// unbroken writes that moment may not come, and the writer's own checkpoint at
/// <see cref="LedgerOptions.WalMaxPages"/> then copies the little that is left, bounding the log.
/// </summary>
internal sealed partial class WalCheckpointer : IWriterUpkeep
{
    private readonly SqliteConnection _connection;
    private readonly TimeSpan _interval;
    private readonly ILogger _logger;
    // Set by every commit; a set event stays set until the checkpointer takes it, so commits never queue up.
    private readonly AutoResetEvent _committed = new(false);
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;
    private int _disposed;

    /// <summary>Starts the checkpointer on <paramref name="connection"/>, which it owns from now on.</summary>
    public WalCheckpointer(SqliteConnection connection, TimeSpan interval, ILogger logger)
    {
        _connection = connection;
        _interval = interval;
        _logger = logger;
        // A thread of its own: a checkpoint blocks for as long as the copy and its fsync take.
        _thread = new Thread(Run) { IsBackground = true, Name = "Ledger checkpointer" };
        _thread.Start();
    }

    /// <summary>Tells the checkpointer the log has grown; cheap, called after every commit.</summary>
    public void NoteCommit() => _committed.Set();

    private void Run()
    {
        var stop = _stop.Token.WaitHandle;
        WaitHandle[] committedOrStopped = [_committed, stop];
        while (WaitHandle.WaitAny(committedOrStopped) == 0)
        {
            // Let the log gather the commits of the next interval, so each page is copied once for all of them.
            if (stop.WaitOne(_interval))
            {
                return;
            }
            Checkpoint();
        }
    }

    private void Checkpoint()
    {
        try
        {
            using var command = _connection.CreateCommand();
            // Copies what no reader still needs from the log; pages held back by a reader on an older snapshot
            // go at the next checkpoint.
            command.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
            command.ExecuteNonQuery();
        }
        catch (SqliteException ex)
        {
            // Nothing is lost: the pages stay in the log, the next checkpoint copies them, and the writer's own
            // checkpoint at LedgerOptions.WalMaxPages bounds the log meanwhile.
            LogCheckpointFailed(ex);
        }
    }

    /// <summary>Stops the thread after any checkpoint in progress and closes the connection; once.</summary>
    public void Dispose()
    {
        // The writer can be disposed twice (the container holds it under two service types).
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        _stop.Cancel();
        _thread.Join();
        _connection.Dispose();
        _stop.Dispose();
        _committed.Dispose();
    }

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "Background checkpoint of the ledger's write-ahead log failed; retrying after the next commit.")]
    private partial void LogCheckpointFailed(Exception exception);
}
