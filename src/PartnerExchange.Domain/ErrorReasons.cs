using System.Collections.Frozen;
using System.Text;

namespace PartnerExchange.Domain;

/// <summary>
/// Turns an <see cref="ErrorReason"/> into the UPPER_SNAKE string integrators see
/// (<c>InsufficientPoints</c> → <c>INSUFFICIENT_POINTS</c>), and back.
/// </summary>
public static class ErrorReasons
{
    // Built once: Code is called for every refused request, so it must not allocate.
    private static readonly string[] CodesByValue = BuildCodes();

    private static readonly FrozenDictionary<string, ErrorReason> ReasonsByCode = BuildReasonsByCode();

    /// <summary>Returns the stable UPPER_SNAKE code of <paramref name="reason"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a member of the enum.</exception>
    public static string Code(ErrorReason reason)
    {
        var index = (int)reason;
        if ((uint)index >= (uint)CodesByValue.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(reason), reason, "Not a defined error reason.");
        }

        return CodesByValue[index];
    }

    /// <summary>
    /// Whether a refusal is about the request itself (bad or inconsistent input) rather than the state of
    /// the exchange. Such refusals are INVALID_ARGUMENT, and they are never recorded against an idempotency
    /// key: the caller may correct the request and retry with the same key.
    /// </summary>
    public static bool IsInputError(ErrorReason reason) => reason is ErrorReason.ValidationFailed or ErrorReason.SameProgram
        or ErrorReason.CurrencyMismatch or ErrorReason.QuoteInvalid or ErrorReason.QuoteMismatch or ErrorReason.InvalidPageToken
        or ErrorReason.MalformedRequest;

    /// <summary>Finds the reason whose code is exactly <paramref name="code"/> (case-sensitive).</summary>
    public static bool TryParse(string? code, out ErrorReason reason)
    {
        if (code is not null && ReasonsByCode.TryGetValue(code, out reason))
        {
            return true;
        }

        reason = ErrorReason.Unspecified;
        return false;
    }

    /// <summary>Converts a PascalCase name to UPPER_SNAKE: an underscore before each inner capital.</summary>
    internal static string ToUpperSnake(string pascalCase)
    {
        var builder = new StringBuilder(pascalCase.Length + 8);
        for (var i = 0; i < pascalCase.Length; i++)
        {
            var c = pascalCase[i];
            if (i > 0 && char.IsUpper(c))
            {
                builder.Append('_');
            }

            builder.Append(char.ToUpperInvariant(c));
        }

        return builder.ToString();
    }

    private static string[] BuildCodes()
    {
        var reasons = Enum.GetValues<ErrorReason>();
        var codes = new string[reasons.Length];
        foreach (var reason in reasons)
        {
            // The table is indexed by value, which only works while the members stay 0..n-1.
            var index = (int)reason;
            if ((uint)index >= (uint)codes.Length)
            {
                throw new InvalidOperationException("ErrorReason values must be contiguous from zero.");
            }

            codes[index] = ToUpperSnake(reason.ToString());
        }

        return codes;
    }

    private static FrozenDictionary<string, ErrorReason> BuildReasonsByCode() =>
        Enum.GetValues<ErrorReason>().ToFrozenDictionary(r => CodesByValue[(int)r], StringComparer.Ordinal);
}
