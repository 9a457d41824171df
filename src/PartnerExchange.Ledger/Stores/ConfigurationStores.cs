using PartnerExchange.Domain.Expiry;
using PartnerExchange.Domain.Rates;
using PartnerExchange.Ledger.Commands;

namespace PartnerExchange.Ledger.Stores;

/// <summary>The partners and their programs.</summary>
internal interface IPartnerStore
{
    PartnerRecord? Find(string programCode);

    /// <summary>The expiry policy of a program (never expiring when the program does not exist).</summary>
    ExpiryPolicy ExpiryPolicyOf(string programCode);

    /// <summary>Stores a new partner; its policy takes effect at its creation.</summary>
    void Insert(PartnerRecord partner);

    /// <summary>Stores a partner's new fields; a changed policy takes effect at its update.</summary>
    void Update(PartnerRecord partner, bool policyChanged);

    /// <summary>Suspends or resumes a partner: false when there is none with this code.</summary>
    bool SetSuspended(string programCode, bool suspended, long atMicros);
}

/// <summary>The versions of the directed exchange rates.</summary>
internal interface IRateStore
{
    /// <summary>The latest version of one direction in effect at a moment, enabled or not.</summary>
    RateRecord? InEffect(string fromProgramCode, string toProgramCode, DateTimeOffset at);

    /// <summary>
    /// The enabled rates out of a program that are in effect at <paramref name="at"/> or will be later: for each
    /// destination, its version in effect (when enabled) and every enabled version to come.
    /// </summary>
    List<RateRecord> OutOf(string fromProgramCode, DateTimeOffset at);

    RateRecord? Find(long rateId);

    /// <summary>The highest version of a direction, 0 when it has none.</summary>
    long LatestVersion(string fromProgramCode, string toProgramCode);

    /// <summary>Stores a new version: its id.</summary>
    long Insert(string fromProgramCode, string toProgramCode, long version, ExchangeRateTerms terms, DateTimeOffset effectiveAt, bool enabled);
}

/// <summary>API keys, stored by the hash of their secret.</summary>
internal interface IApiKeyStore
{
    void Insert(ApiKeyRecord key, byte[] secretHash);

    /// <summary>Revokes a key not revoked yet; a revoked key keeps its first revocation time.</summary>
    void Revoke(string keyId, long atMicros);

    ApiKeyRecord? Find(string keyId);
}
