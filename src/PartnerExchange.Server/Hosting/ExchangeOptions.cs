using System.ComponentModel.DataAnnotations;

namespace PartnerExchange.Server.Hosting;

/// <summary>Settings of the exchange's API (section <c>Exchange</c>; see README for the environment variables).</summary>
public sealed class ExchangeOptions
{
    /// <summary>
    /// The bootstrap operator key (env <c>PX_OPERATOR_KEY</c>), accepted as an operator credential so the
    /// first real keys can be created. Unset by default: then only stored operator keys work.
    /// </summary>
    [MinLength(32, ErrorMessage = "Exchange:OperatorKey (PX_OPERATOR_KEY) must be at least 32 characters; generate one with 'openssl rand -hex 32'.")]
    public string? OperatorKey { get; set; }

    /// <summary>How long a quote locks its rate. Default 60 s.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00", ErrorMessage = "Exchange:QuoteLifetime must be between 1 s and 1 h.")]
    public TimeSpan QuoteLifetime { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Page size when a request gives none. Default 50.</summary>
    [Range(1, 500, ErrorMessage = "Exchange:DefaultPageSize must be between 1 and 500.")]
    public int DefaultPageSize { get; set; } = 50;

    /// <summary>Largest page a request may ask for. Default 500.</summary>
    [Range(1, 10_000, ErrorMessage = "Exchange:MaxPageSize must be between 1 and 10,000.")]
    public int MaxPageSize { get; set; } = 500;

    /// <summary>
    /// Largest request message accepted, in bytes. Default 64 KiB. A larger message is refused RESOURCE_EXHAUSTED,
    /// REQUEST_TOO_LARGE: after authentication up to <see cref="HardRequestBytesCap"/>, at once above it.
    /// </summary>
    [Range(1024, 16 * 1024 * 1024, ErrorMessage = "Exchange:MaxRequestBytes must be between 1 KiB and 16 MiB.")]
    public int MaxRequestBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// The transport's own limit, twice <see cref="MaxRequestBytes"/>: a message up to it is read (so its caller is
    /// authenticated before it is refused), one above it is refused before it is buffered.
    /// </summary>
    internal int HardRequestBytesCap => 2 * MaxRequestBytes;

    /// <summary>Largest number of kinds a transaction filter may list. Default 16.</summary>
    [Range(1, 64, ErrorMessage = "Exchange:MaxFilterKinds must be between 1 and 64.")]
    public int MaxFilterKinds { get; set; } = 16;

    /// <summary>
    /// How long a looked-up API key is trusted before it is read again. A revocation reaches the other servers at
    /// once through Redis; this bounds it while Redis is down. Default 5 s.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00", ErrorMessage = "Exchange:ApiKeyCacheTtl must be between 0 and 5 minutes.")]
    public TimeSpan ApiKeyCacheTtl { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Most API keys held in the lookup cache, the least recently used evicted first; unknown key ids are cached
    /// apart, a tenth as many, so made-up keys never push real ones out. Default 10,000.
    /// </summary>
    [Range(0, 10_000_000, ErrorMessage = "Exchange:ApiKeyCacheCapacity must be between 0 and 10,000,000.")]
    public int ApiKeyCacheCapacity { get; set; } = 10_000;
}
