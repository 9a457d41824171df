using PartnerExchange.Domain;
using PartnerExchange.Domain.Points;
using PartnerExchange.Server.Errors;
using PartnerExchange.Server.Security;
using ApiKeyRole = PartnerExchange.Ledger.Commands.ApiKeyRole;
using ErrorReason = PartnerExchange.Domain.ErrorReason;

namespace PartnerExchange.Server.Validation;

/// <summary>
/// Which program a read of members and transactions is of: a partner key reads its own program; an operator key
/// names any program in <c>program_code</c>, so support can see what a partner sees. Event streams share the
/// partner's rule (<see cref="RefuseAnotherProgram"/>).
/// </summary>
internal static class ProgramToRead
{
    /// <summary>
    /// Checks permission at once (a partner naming another program is refused before anything about that program
    /// is looked at), adds the check of an operator's <c>program_code</c> to <paramref name="checks"/>, and returns
    /// the program to read.
    /// </summary>
    public static string Resolve(Caller caller, string programCode, FieldChecks checks)
    {
        RefuseAnotherProgram(caller, programCode);
        if (caller.Role == ApiKeyRole.Partner)
        {
            return caller.Program;
        }
        checks.Add(programCode.Length == 0
            ? new FieldViolation("program_code", "is required with an operator key: name the program to read")
            : Identifiers.ProgramCode(programCode, "program_code"));
        return programCode;
    }

    /// <summary>
    /// OPERATOR_KEY_REQUIRED when a partner key names a program other than its own: checked before anything about
    /// that program is looked at, so a partner learns nothing of other programs (reads and event streams alike).
    /// </summary>
    public static void RefuseAnotherProgram(Caller caller, string programCode)
    {
        if (caller.Role == ApiKeyRole.Partner && programCode.Length > 0 && programCode != caller.Program)
        {
            throw RpcErrors.ToException(Refusal.Of(ErrorReason.OperatorKeyRequired,
                "A partner key reaches only its own program; leave program_code empty or name your own program."));
        }
    }
}
