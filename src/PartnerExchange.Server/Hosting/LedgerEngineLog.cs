using PartnerExchange.Ledger;
using PartnerExchange.Ledger.Storage;

namespace PartnerExchange.Server.Hosting;

/// <summary>Says at start which engine the ledger runs on and where, so every log tells what it was written against.</summary>
internal static partial class LedgerEngineLog
{
    /// <summary>The engine's name in logs and settings: <c>sqlite</c> or <c>postgres</c>.</summary>
    public static string NameOf(LedgerEngine engine) => engine switch
    {
        LedgerEngine.Sqlite => "sqlite",
        LedgerEngine.Postgres => "postgres",
        _ => throw new ArgumentOutOfRangeException(nameof(engine), engine, "Not a ledger engine."),
    };

    /// <summary>Logs the engine and the database's location (never its connection string, which may hold a password).</summary>
    public static void LogChosen(ILogger logger, LedgerDatabase database)
    {
        var engine = NameOf(database.Engine);
        LogEngine(logger, engine, database.Location);
    }

    [LoggerMessage(EventId = 1902, Level = LogLevel.Information, Message = "The ledger runs on {LedgerEngine} at {LedgerLocation}")]
    private static partial void LogEngine(ILogger logger, string ledgerEngine, string ledgerLocation);
}
