using PartnerExchange.Domain;
using PartnerExchange.Domain.Points;
using PartnerExchange.Server.Errors;
using PartnerExchange.Server.Security;
using ApiKeyRole = PartnerExchange.Ledger.Commands.ApiKeyRole;
using ErrorReason = PartnerExchange.Domain.ErrorReason;

namespace PartnerExchange.Server.Validation;

/// <summary>
/// Which program a read of members and transactions is of: a partner key reads its own program; an operator key
/// names any program in <c>program_code</c>, so support can see what a partner sees.
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
        if (caller.Role == ApiKeyRole.Partner)
        {
            if (programCode.Length > 0 && programCode != caller.Program)
            {
                throw RpcErrors.ToException(Refusal.Of(ErrorReason.OperatorKeyRequired,
                    "A partner key reads only its own program; leave program_code empty or name your own program."));
            }
            return caller.Program;
        }
        checks.Add(programCode.Length == 0
            ? new FieldViolation("program_code", "is required with an operator key: name the program to read")
            : Identifiers.ProgramCode(programCode, "program_code"));
        return programCode;
    }
}
