using System.Security.Cryptography;
using System.Text;

namespace PartnerExchange.Server.Security;

/// <summary>
/// API key secrets: <c>pxk_&lt;key id&gt;_&lt;secret&gt;</c>. The key id lets the server find the key
/// (and logs name it) without the secret; only a SHA-256 hash of the whole token is stored. The secret
/// is 256 random bits, so a fast hash is enough — there is nothing to brute-force.
/// </summary>
internal static class ApiKeySecrets
{
    private const string Prefix = "pxk_";
    private const int KeyIdHexLength = 16;
    private const int SecretHexLength = 64;

    public static (string KeyId, string Token) Generate()
    {
        var keyId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(KeyIdHexLength / 2));
        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(SecretHexLength / 2));
        return (keyId, $"{Prefix}{keyId}_{secret}");
    }

    /// <summary>The key id of a well-formed token, or null.</summary>
    public static string? KeyIdOf(string token)
    {
        if (token.Length != Prefix.Length + KeyIdHexLength + 1 + SecretHexLength
            || !token.StartsWith(Prefix, StringComparison.Ordinal)
            || token[Prefix.Length + KeyIdHexLength] != '_')
        {
            return null;
        }
        return token.Substring(Prefix.Length, KeyIdHexLength);
    }

    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    public static bool Matches(string token, byte[] storedHash) =>
        CryptographicOperations.FixedTimeEquals(Hash(token), storedHash);
}
