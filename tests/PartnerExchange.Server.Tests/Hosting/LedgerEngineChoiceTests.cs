using System.Collections.Concurrent;
using System.Text.Json;
using Npgsql;
using PartnerExchange.Testing;
using Serilog.Events;

namespace PartnerExchange.Server.Tests.Hosting;

/// <summary>
/// The ledger's engine is chosen once at start, from <c>PX_POSTGRES</c> (<c>Ledger:Postgres</c>), and the start log
/// says which (event 1902) and where, never with the connection string's password.
/// </summary>
public sealed class LedgerEngineChoiceTests : IAsyncLifetime
{
    private const int EngineEventId = 1902;
    private const int ServingEventId = 1900;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private readonly RunningExchange _exchange = new();

    public async Task InitializeAsync()
    {
        _exchange.Settings["Serilog:MinimumLevel:Default"] = "Information";
        await _exchange.InitializeAsync();
    }

    public Task DisposeAsync() => _exchange.DisposeAsync();

    [Fact]
    public void Start_WithoutPostgres_LogsSqliteAndTheFile()
    {
        var chosen = Assert.Single(_exchange.Logs, e => e.MessageTemplate.Text.StartsWith("The ledger runs on", StringComparison.Ordinal));

        Assert.Equal("sqlite", Assert.IsType<ScalarValue>(chosen.Properties["LedgerEngine"]).Value);
        Assert.Equal(Path.GetFullPath(_exchange.DatabasePath), Assert.IsType<ScalarValue>(chosen.Properties["LedgerLocation"]).Value);
    }

    [Fact]
    public async Task Start_PxPostgresSet_LogsPostgresAndTheDatabaseWithoutThePassword()
    {
        var connectionString = await PostgresServer.Shared.CreateDatabaseAsync();
        try
        {
            var output = await StartServerAsync(connectionString);

            var chosen = Assert.Single(output.Events, e => e.TryGetProperty("EventId", out var id) && id.GetProperty("Id").GetInt32() == EngineEventId);
            Assert.Equal("postgres", chosen.GetProperty("LedgerEngine").GetString());
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            Assert.EndsWith("/" + builder.Database, chosen.GetProperty("LedgerLocation").GetString(), StringComparison.Ordinal);
            Assert.DoesNotContain(builder.Password!, output.Text, StringComparison.Ordinal);
        }
        finally
        {
            await PostgresServer.Shared.DropDatabaseAsync(connectionString);
        }
    }

    /// <summary>
    /// Runs the server as its own process with <c>PX_POSTGRES</c> set and JSON logs, until it serves or stops (a build
    /// without the PostgreSQL write side may stop at start), and returns everything it printed.
    /// </summary>
    private static async Task<(string Text, List<JsonElement> Events)> StartServerAsync(string connectionString)
    {
        var lines = new ConcurrentQueue<string>();
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var server = ServerProcess.Start(new Dictionary<string, string>
        {
            ["PX_POSTGRES"] = connectionString,
            ["PX_LOG_FORMAT"] = "json",
            ["PX_DATA_DIR"] = Path.Combine(Path.GetTempPath(), "px-tests", Guid.NewGuid().ToString("N")),
        }, Collect);
        try
        {
            await Task.WhenAny(ended.Task, server.WaitForExitAsync()).WaitAsync(StartTimeout);
        }
        finally
        {
            if (!server.HasExited)
            {
                server.Kill(entireProcessTree: true);
            }
            await server.WaitForExitAsync();
        }
        var events = lines.Where(l => l.StartsWith('{')).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
        return (string.Join('\n', lines), events);

        void Collect(string line)
        {
            lines.Enqueue(line);
            if (line.Contains($"\"Id\":{ServingEventId}", StringComparison.Ordinal))
            {
                ended.TrySetResult();
            }
        }
    }
}
