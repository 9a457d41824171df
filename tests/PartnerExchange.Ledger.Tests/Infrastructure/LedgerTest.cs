namespace PartnerExchange.Ledger.Tests.Infrastructure;

/// <summary>
/// Base of the ledger tests: every test gets its own migrated database file and writer, and fails when the
/// writer logged an error the test did not take as expected.
/// </summary>
public abstract class LedgerTest : IAsyncLifetime
{
    private LedgerHarness? _ledger;

    internal LedgerHarness Ledger => _ledger ?? throw new InvalidOperationException("The ledger starts in InitializeAsync.");

    /// <summary>Options a test class needs beyond the defaults.</summary>
    internal virtual void Configure(LedgerOptions options)
    {
    }

    public virtual async Task InitializeAsync() => _ledger = await LedgerHarness.StartAsync(Configure);

    public async Task DisposeAsync()
    {
        if (_ledger is null)
        {
            return;
        }
        try
        {
            await _ledger.DisposeWriterAsync();
            var unexpected = _ledger.Log.UnexpectedErrors();
            Assert.True(unexpected.Count == 0,
                "The writer logged errors:\n" + string.Join('\n', unexpected.Select(e => $"{e.Message} {e.Exception}")));
        }
        finally
        {
            await _ledger.DisposeAsync();
        }
    }
}
