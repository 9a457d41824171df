using PartnerExchange.Domain.Points;
using PartnerExchange.Server.Security;
using PartnerExchange.V1;
using ApiKeyRole = PartnerExchange.Ledger.Commands.ApiKeyRole;

namespace PartnerExchange.Server.Validation;

/// <summary>Checks of StreamEventsRequest: who may stream which program, and the fields.</summary>
internal static class EventValidation
{
    /// <summary>
    /// Checks permission first (a partner naming another program is refused before anything about that program is
    /// looked at), then the fields, and returns the program to stream. An operator's program is returned unchecked
    /// for existence; the caller looks it up.
    /// </summary>
    public static string ValidateFor(this StreamEventsRequest request, Caller caller)
    {
        ProgramToRead.RefuseAnotherProgram(caller, request.ProgramCode);
        var checks = new FieldChecks()
            .Require(request.AfterCursor >= 0, "after_cursor", "must be 0 (from the first event) or the cursor of an event");
        // An operator naming no program is PARTNER_NOT_FOUND, as the contract says; a malformed code is bad input.
        if (caller.Role == ApiKeyRole.Operator && request.ProgramCode.Length > 0)
        {
            checks.Add(Identifiers.ProgramCode(request.ProgramCode, "program_code"));
        }
        checks.ThrowIfInvalid();
        return caller.ProgramCode ?? request.ProgramCode;
    }
}
