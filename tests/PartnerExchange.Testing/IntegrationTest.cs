namespace PartnerExchange.Testing;

/// <summary>
/// Base of integration tests: a test fails when the server logged an error while it ran (an unexpected
/// exception on the server side is a bug even when the client saw a clean status).
/// </summary>
public abstract class IntegrationTest(RunningExchange exchange) : IAsyncLifetime
{
    private int _errorsBefore;

    protected RunningExchange Exchange { get; } = exchange;

    public virtual Task InitializeAsync()
    {
        _errorsBefore = Exchange.ErrorLogs.Count;
        return Task.CompletedTask;
    }

    public virtual Task DisposeAsync()
    {
        var newErrors = Exchange.ErrorLogs.Skip(_errorsBefore).Select(e => e.RenderMessage() + " " + e.Exception).ToList();
        Assert.True(newErrors.Count == 0, "The server logged errors:\n" + string.Join('\n', newErrors));
        return Task.CompletedTask;
    }
}
