using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace PartnerExchange.Ledger.Tests.Infrastructure;

/// <summary>One log event the code under test wrote.</summary>
internal sealed record LogEntry(LogLevel Level, EventId EventId, string Message, Exception? Exception);

/// <summary>
/// Keeps every log event, so a test can assert the errors it expects and fail on the ones it does not
/// (an unexpected error log is a bug even when the caller saw a clean result).
/// </summary>
internal sealed class CollectingLogger<T> : ILogger<T>
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();
    private int _errorsSeen;

    public IReadOnlyList<LogEntry> Entries => [.. _entries];

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        _entries.Enqueue(new LogEntry(logLevel, eventId, formatter(state, exception), exception));
    }

    /// <summary>The error and critical events not yet taken, which from now on count as expected.</summary>
    public IReadOnlyList<LogEntry> TakeErrors()
    {
        var errors = Errors();
        var unseen = errors.Skip(_errorsSeen).ToList();
        _errorsSeen = errors.Count;
        return unseen;
    }

    /// <summary>The error and critical events no test has taken.</summary>
    public IReadOnlyList<LogEntry> UnexpectedErrors() => Errors().Skip(_errorsSeen).ToList();

    private List<LogEntry> Errors() => _entries.Where(e => e.Level >= LogLevel.Error).ToList();
}
