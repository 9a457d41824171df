using PartnerExchange.Domain;
using PartnerExchange.Server.Errors;

namespace PartnerExchange.Server.Validation;

/// <summary>
/// Collects every field violation of a request, so a client learns all that is wrong at once, then
/// fails the call with INVALID_ARGUMENT before anything is recorded.
/// </summary>
internal sealed class FieldChecks
{
    private readonly List<FieldViolation> _violations = [];

    public FieldChecks Add(FieldViolation? violation)
    {
        if (violation is not null)
        {
            _violations.Add(violation);
        }
        return this;
    }

    public FieldChecks Add(IEnumerable<FieldViolation> violations)
    {
        _violations.AddRange(violations);
        return this;
    }

    public FieldChecks Require(bool valid, string field, string description) =>
        valid ? this : Add(new FieldViolation(field, description));

    public void ThrowIfInvalid()
    {
        if (_violations.Count > 0)
        {
            throw RpcErrors.ToException(Refusal.Invalid(_violations));
        }
    }
}
