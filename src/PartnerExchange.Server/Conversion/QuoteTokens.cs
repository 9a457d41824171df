using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using PartnerExchange.Ledger.Commands;

namespace PartnerExchange.Server.Conversion;

/// <summary>What a quote promises: this caller may convert these points into this program at this rate version.</summary>
internal sealed record QuoteClaim(
    string ProgramCode, string DestinationProgramCode, long SourcePoints, long RateId, DateTimeOffset QuotedAt, DateTimeOffset ExpiresAt)
{
    public RateLock ToLock() => new(RateId, QuotedAt, ExpiresAt);
}

/// <summary>
/// Quote ids are signed claims (HMAC-SHA256 with a key kept in the database), so a quote needs no storage
/// and any server sharing the database can honour it, while no caller can forge or alter one.
/// </summary>
internal sealed class QuoteTokens(byte[] signingKey)
{
    public const string SettingName = "quote_signing_key";
    private const string Version = "q2";

    public string Issue(QuoteClaim claim)
    {
        var payload = string.Join('|', Version, claim.ProgramCode, claim.DestinationProgramCode,
            claim.SourcePoints.ToString(CultureInfo.InvariantCulture), claim.RateId.ToString(CultureInfo.InvariantCulture),
            Micros(claim.QuotedAt).ToString(CultureInfo.InvariantCulture),
            Micros(claim.ExpiresAt).ToString(CultureInfo.InvariantCulture));
        var bytes = Encoding.UTF8.GetBytes(payload);
        return Base64Url.EncodeToString(bytes) + "." + Base64Url.EncodeToString(HMACSHA256.HashData(signingKey, bytes));
    }

    /// <summary>The claim of a genuine quote id, or null when it is malformed or not signed by us.</summary>
    public QuoteClaim? Read(string quoteId)
    {
        var dot = quoteId.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || quoteId.Length > 1024)
        {
            return null;
        }
        byte[] payload;
        byte[] signature;
        try
        {
            payload = Base64Url.DecodeFromChars(quoteId.AsSpan(0, dot));
            signature = Base64Url.DecodeFromChars(quoteId.AsSpan(dot + 1));
        }
        catch (FormatException)
        {
            return null;
        }
        if (!CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(signingKey, payload), signature))
        {
            return null;
        }
        var parts = Encoding.UTF8.GetString(payload).Split('|');
        return parts.Length == 7 && parts[0] == Version
            ? new QuoteClaim(parts[1], parts[2], long.Parse(parts[3], CultureInfo.InvariantCulture),
                long.Parse(parts[4], CultureInfo.InvariantCulture),
                FromMicros(long.Parse(parts[5], CultureInfo.InvariantCulture)),
                FromMicros(long.Parse(parts[6], CultureInfo.InvariantCulture)))
            : null;
    }

    /// <summary>A time cut to whole microseconds, the precision a quote carries.</summary>
    public static DateTimeOffset ToMicrosecond(DateTimeOffset time) => FromMicros(Micros(time));

    private static long Micros(DateTimeOffset time) => (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    private static DateTimeOffset FromMicros(long micros) => DateTimeOffset.UnixEpoch.AddTicks(micros * 10);
}
