using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using PartnerExchange.Domain;
using PartnerExchange.Ledger.Commands;
using PartnerExchange.Ledger.Reading;
using PartnerExchange.Server.Hosting;

namespace PartnerExchange.Server.Security;

/// <summary>
/// Turns an <c>authorization: Bearer …</c> header into a caller. Known keys are cached briefly so a call
/// costs no database read; a revocation takes effect at once on the server that made it, at once on the others
/// while Redis carries its announcement (<see cref="KeyRevocations"/>), and within
/// <see cref="ExchangeOptions.ApiKeyCacheTtl"/> otherwise.
/// </summary>
internal sealed class Authenticator(LedgerQueries queries, IOptions<ExchangeOptions> options, TimeProvider clock)
{
    public const string BootstrapKeyId = "bootstrap";
    // The cache of unknown key ids holds a tenth as many entries as the cache of keys.
    private const int UnknownIdShare = 10;
    // Known keys and unknown key ids apart, each bounded with its least recently used entry evicted: made-up ids,
    // which cost a sender nothing, churn only the small cache of unknown ids and never push out a real key.
    private readonly ExpiringCache<CachedKey> _keys = new(options.Value.ApiKeyCacheCapacity);
    private readonly ExpiringCache<CachedKey> _unknownIds = new(options.Value.ApiKeyCacheCapacity / UnknownIdShare);
    // Moves on every Forget: a lookup that read the database while a key was being forgotten does not cache
    // what it read, which may predate the revocation.
    private long _forgetEpoch;
    private readonly byte[]? _bootstrapHash = string.IsNullOrEmpty(options.Value.OperatorKey) ? null : ApiKeySecrets.Hash(options.Value.OperatorKey);

    private sealed record CachedKey(ApiKeyRecord? Key, byte[] SecretHash, DateTimeOffset ExpiresAt);

    public async ValueTask<Outcome<Caller>> AuthenticateAsync(string? authorization, CancellationToken cancellationToken)
    {
        const string scheme = "Bearer ";
        if (string.IsNullOrEmpty(authorization))
        {
            return Refusal.Of(ErrorReason.ApiKeyMissing, "Send the API key as 'authorization: Bearer <key>'.");
        }
        if (!authorization.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return Invalid();
        }
        var token = authorization[scheme.Length..].Trim();
        // Hashed once per call, then compared in constant time with the bootstrap key and the stored key.
        var tokenHash = ApiKeySecrets.Hash(token);
        if (_bootstrapHash is not null && CryptographicOperations.FixedTimeEquals(tokenHash, _bootstrapHash))
        {
            return new Caller(ApiKeyRole.Operator, null, BootstrapKeyId);
        }
        if (ApiKeySecrets.KeyIdOf(token) is not { } keyId)
        {
            return Invalid();
        }
        var cached = await LookUpAsync(keyId, cancellationToken).ConfigureAwait(false);
        if (cached.Key is not { RevokedAt: null } key || !CryptographicOperations.FixedTimeEquals(tokenHash, cached.SecretHash))
        {
            return Invalid();
        }
        return new Caller(key.Role, key.ProgramCode, key.KeyId);
    }

    /// <summary>Forgets a key at once, after it was revoked through this server or another.</summary>
    public void Forget(string keyId)
    {
        Interlocked.Increment(ref _forgetEpoch);
        _keys.Remove(keyId);
        _unknownIds.Remove(keyId);
    }

    /// <summary>Forgets every cached key, when revocations may have been missed.</summary>
    public void ForgetAll()
    {
        Interlocked.Increment(ref _forgetEpoch);
        _keys.Clear();
        _unknownIds.Clear();
    }

    /// <summary>Whether a key is cached now (a test's view of the cache).</summary>
    public bool IsCached(string keyId) => _keys.TryGet(keyId, clock.GetUtcNow(), out _);

    /// <summary>How many unknown key ids are cached now, expired ones not yet dropped included.</summary>
    public int CachedUnknownIdCount => _unknownIds.Count;

    private async ValueTask<CachedKey> LookUpAsync(string keyId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (_keys.TryGet(keyId, now, out var cached) || _unknownIds.TryGet(keyId, now, out cached))
        {
            return cached;
        }
        var epoch = Interlocked.Read(ref _forgetEpoch);
        var found = await queries.FindApiKeyAsync(keyId, cancellationToken).ConfigureAwait(false);
        // Unknown ids are cached too, so one made-up key repeated cannot turn into a flood of reads.
        cached = new CachedKey(found?.Key, found?.SecretHash ?? [], now + options.Value.ApiKeyCacheTtl);
        if (Interlocked.Read(ref _forgetEpoch) == epoch)
        {
            (found is null ? _unknownIds : _keys).Set(keyId, cached, cached.ExpiresAt, now);
        }
        return cached;
    }

    private static Refusal Invalid() => Refusal.Of(ErrorReason.ApiKeyInvalid, "The API key is unknown, malformed or revoked.");
}
