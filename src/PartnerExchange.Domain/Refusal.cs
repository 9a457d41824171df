using System.Collections.ObjectModel;

namespace PartnerExchange.Domain;

/// <summary>
/// An operating error: the request was understood and refused, and nothing changed. The server maps
/// it to a gRPC status with an <c>ErrorInfo</c> carrying <see cref="ErrorReasons.Code"/> of
/// <see cref="Reason"/> and <see cref="Metadata"/>, plus a <c>BadRequest</c> with
/// <see cref="Violations"/> when there are any.
/// </summary>
/// <param name="Reason">The stable reason integrators match on.</param>
/// <param name="Message">A human-readable explanation; never parsed, may change.</param>
/// <param name="Metadata">Machine-readable facts about the refusal, e.g. <c>minimum_points</c>.</param>
/// <param name="Violations">The invalid fields, for <see cref="ErrorReason.ValidationFailed"/>.</param>
public sealed record Refusal(
    ErrorReason Reason,
    string Message,
    IReadOnlyDictionary<string, string> Metadata,
    IReadOnlyList<FieldViolation> Violations)
{
    /// <summary>The message of every <see cref="ErrorReason.ValidationFailed"/> refusal made by <c>Invalid</c>.</summary>
    public const string InvalidFieldsMessage = "The request has invalid fields.";

    /// <summary>A refusal with no metadata and no field violations.</summary>
    public static Refusal Of(ErrorReason reason, string message) =>
        new(reason, message, ReadOnlyDictionary<string, string>.Empty, ReadOnlyCollection<FieldViolation>.Empty);

    /// <summary>A refusal with metadata entries; keys must be distinct.</summary>
    /// <exception cref="ArgumentException">Two entries share a key.</exception>
    public static Refusal Of(ErrorReason reason, string message, params (string Key, string Value)[] metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        if (metadata.Length == 0)
        {
            return Of(reason, message);
        }

        var entries = new Dictionary<string, string>(metadata.Length, StringComparer.Ordinal);
        foreach (var (key, value) in metadata)
        {
            entries.Add(key, value);
        }

        return new(reason, message, entries.AsReadOnly(), ReadOnlyCollection<FieldViolation>.Empty);
    }

    /// <summary>A <see cref="ErrorReason.ValidationFailed"/> refusal listing the invalid fields.</summary>
    /// <exception cref="ArgumentException">The list is empty: a validation refusal must name a field.</exception>
    public static Refusal Invalid(IReadOnlyList<FieldViolation> violations)
    {
        ArgumentNullException.ThrowIfNull(violations);
        if (violations.Count == 0)
        {
            throw new ArgumentException("A validation refusal needs at least one field violation.", nameof(violations));
        }

        // Copied so a caller that keeps adding to its list cannot change a refusal already returned.
        var snapshot = violations.ToArray().AsReadOnly();
        return new(ErrorReason.ValidationFailed, InvalidFieldsMessage, ReadOnlyDictionary<string, string>.Empty, snapshot);
    }

    /// <summary>A <see cref="ErrorReason.ValidationFailed"/> refusal for one invalid field.</summary>
    public static Refusal Invalid(string field, string description) => Invalid([new FieldViolation(field, description)]);
}
