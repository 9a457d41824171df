using Microsoft.Extensions.Time.Testing;
using PartnerExchange.Testing;

namespace PartnerExchange.Server.Tests.Infrastructure;

/// <summary>A server on a fake clock with the expiry job off, so each test runs expiry itself.</summary>
public sealed class ClockedExchange : IAsyncLifetime
{
    // The 31st, so calendar-month arithmetic is exercised by every test.
    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 1, 31, 12, 0, 0, TimeSpan.Zero));

    public RunningExchange Exchange { get; } = new();

    public Task InitializeAsync()
    {
        Exchange.Clock = Clock;
        Exchange.Settings["Expiry:JobEnabled"] = "false";
        // Small batches, so every run here goes over several of them (and a dry run over several slices).
        Exchange.Settings["Expiry:BatchSize"] = "3";
        return Exchange.InitializeAsync();
    }

    public Task DisposeAsync() => Exchange.DisposeAsync();
}
