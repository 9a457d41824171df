namespace PartnerExchange.Domain;

/// <summary>
/// The result of a domain rule: either a value or a <see cref="Domain.Refusal"/>. Refusals are ordinary
/// results, not exceptions, so callers cannot forget that a rule may say no.
/// </summary>
/// <typeparam name="T">The type of the value on success.</typeparam>
public readonly struct Outcome<T>
{
    private readonly T _value;
    private readonly Refusal? _refusal;
    private readonly bool _isSuccess;

    private Outcome(T value)
    {
        _value = value;
        _refusal = null;
        _isSuccess = true;
    }

    private Outcome(Refusal refusal)
    {
        _value = default!;
        _refusal = refusal;
        _isSuccess = false;
    }

    /// <summary>True when the outcome holds a value; false when it holds a refusal.</summary>
    /// <remarks>A <c>default</c> outcome is neither: it is not a success and has no refusal.</remarks>
    public bool IsSuccess => _isSuccess;

    /// <summary>The value of a successful outcome.</summary>
    /// <exception cref="InvalidOperationException">The outcome is a refusal.</exception>
    public T Value => _isSuccess
        ? _value
        : throw new InvalidOperationException($"The outcome was refused ({_refusal?.Reason}); check IsSuccess first.");

    /// <summary>The refusal of a refused outcome.</summary>
    /// <exception cref="InvalidOperationException">The outcome is a success, or was never initialised.</exception>
    public Refusal Refusal => _refusal
        ?? throw new InvalidOperationException(_isSuccess
            ? "The outcome succeeded; check IsSuccess first."
            : "The outcome was never initialised (default struct).");

    /// <summary>Wraps a value as a successful outcome.</summary>
    public static implicit operator Outcome<T>(T value) => new(value);

    /// <summary>Wraps a refusal as a refused outcome.</summary>
    /// <exception cref="ArgumentNullException">The refusal is null.</exception>
    public static implicit operator Outcome<T>(Refusal refusal)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        return new(refusal);
    }

    /// <summary>Runs <paramref name="next"/> on the value, or passes the refusal through untouched.</summary>
    public Outcome<TNext> Then<TNext>(Func<T, Outcome<TNext>> next)
    {
        ArgumentNullException.ThrowIfNull(next);
        return _isSuccess ? next(_value) : Refusal;
    }

    /// <summary>Transforms the value with <paramref name="map"/>, or passes the refusal through untouched.</summary>
    public Outcome<TNext> Map<TNext>(Func<T, TNext> map)
    {
        ArgumentNullException.ThrowIfNull(map);
        return _isSuccess ? map(_value) : Refusal;
    }

    /// <summary>Gets the value when successful, otherwise the refusal, in one call.</summary>
    public bool TryGetValue(out T value, out Refusal? refusal)
    {
        value = _value;
        refusal = _refusal;
        return _isSuccess;
    }

    /// <inheritdoc />
    public override string ToString() => _isSuccess
        ? $"Success({_value})"
        : _refusal is null ? "Uninitialised" : $"Refused({_refusal.Reason})";
}
