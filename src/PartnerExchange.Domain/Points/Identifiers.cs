namespace PartnerExchange.Domain.Points;

/// <summary>
/// Validation of the identifiers and free-text fields that requests carry. Each check returns
/// <c>null</c> when the value is fine, or the violation naming <c>field</c>. Lengths count UTF-16
/// code units, which is what storage columns limit. A null value is treated as empty.
/// </summary>
public static class Identifiers
{
    /// <summary>The longest member number.</summary>
    public const int MemberNumberMaxLength = 64;

    /// <summary>The shortest program code.</summary>
    public const int ProgramCodeMinLength = 2;

    /// <summary>The longest program code.</summary>
    public const int ProgramCodeMaxLength = 16;

    /// <summary>The longest idempotency key.</summary>
    public const int IdempotencyKeyMaxLength = 255;

    /// <summary>The longest partner reference.</summary>
    public const int ReferenceMaxLength = 128;

    /// <summary>The longest label or name.</summary>
    public const int NameMaxLength = 200;

    /// <summary>A member number: 1–64 characters of <c>A–Z a–z 0–9 . _ -</c>.</summary>
    public static FieldViolation? MemberNumber(string? value, string field)
    {
        var text = value ?? string.Empty;
        return text.Length is >= 1 and <= MemberNumberMaxLength && text.All(IsMemberNumberChar)
            ? null
            : new(field, "must be 1-64 characters of A-Z, a-z, 0-9, '.', '_' or '-'");
    }

    /// <summary>A program code: 2–16 characters of <c>A–Z 0–9</c>, starting with a letter.</summary>
    public static FieldViolation? ProgramCode(string? value, string field)
    {
        var text = value ?? string.Empty;
        return text.Length is >= ProgramCodeMinLength and <= ProgramCodeMaxLength
            && char.IsAsciiLetterUpper(text[0])
            && text.All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c))
            ? null
            : new(field, "must be 2-16 characters of A-Z or 0-9, starting with a letter");
    }

    /// <summary>An idempotency key: 1–255 printable ASCII characters (0x20–0x7E: the space is one, control characters are not).</summary>
    public static FieldViolation? IdempotencyKey(string? value, string field)
    {
        var text = value ?? string.Empty;
        return text.Length is >= 1 and <= IdempotencyKeyMaxLength && text.All(c => c is >= ' ' and <= '~')
            ? null
            : new(field, "must be 1-255 printable ASCII characters (space to '~')");
    }

    /// <summary>A partner's own reference: 0–128 characters, no control characters.</summary>
    public static FieldViolation? Reference(string? value, string field)
    {
        var text = value ?? string.Empty;
        return text.Length <= ReferenceMaxLength && !text.Any(char.IsControl)
            ? null
            : new(field, "must be at most 128 characters without control characters");
    }

    /// <summary>A points amount: between 1 and <paramref name="maxPoints"/> inclusive.</summary>
    public static FieldViolation? Points(long value, string field, long maxPoints) =>
        value >= 1 && value <= maxPoints
            ? null
            : new(field, $"must be between 1 and {PointsMath.Format(maxPoints)}");

    /// <summary>
    /// A signed points change, as an operator's adjustment makes: not zero, and at most <paramref name="maxPoints"/>
    /// either way.
    /// </summary>
    public static FieldViolation? SignedPoints(long value, string field, long maxPoints) =>
        value != 0 && value >= -maxPoints && value <= maxPoints
            ? null
            : new(field, $"must be between -{PointsMath.Format(maxPoints)} and {PointsMath.Format(maxPoints)}, and not 0");

    /// <summary>
    /// An operator's reason: 1–128 characters (it is kept as the transaction's reference), not all white space,
    /// no control characters.
    /// </summary>
    public static FieldViolation? Reason(string? value, string field)
    {
        var text = value ?? string.Empty;
        return text.Length <= ReferenceMaxLength && !string.IsNullOrWhiteSpace(text) && !text.Any(char.IsControl)
            ? null
            : new(field, "must be 1-128 characters, not blank, without control characters");
    }

    /// <summary>A display label: 1–200 characters, not all white space, no control characters.</summary>
    public static FieldViolation? Label(string? value, string field) => Name(value, field);

    /// <summary>A display name: 1–200 characters, not all white space, no control characters.</summary>
    public static FieldViolation? Name(string? value, string field)
    {
        var text = value ?? string.Empty;
        return text.Length <= NameMaxLength && !string.IsNullOrWhiteSpace(text) && !text.Any(char.IsControl)
            ? null
            : new(field, "must be 1-200 characters, not blank, without control characters");
    }

    private static bool IsMemberNumberChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-';
}
