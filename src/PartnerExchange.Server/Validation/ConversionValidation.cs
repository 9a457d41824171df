using PartnerExchange.Domain;
using PartnerExchange.Domain.Points;
using PartnerExchange.Server.Errors;
using PartnerExchange.Server.Hosting;
using PartnerExchange.Server.Paging;
using PartnerExchange.V1;
using ErrorReason = PartnerExchange.Domain.ErrorReason;

namespace PartnerExchange.Server.Validation;

/// <summary>Field checks of the Conversion service's requests.</summary>
internal static class ConversionValidation
{
    private const int QuoteIdMaxLength = 1024;

    public static void Validate(this ListRatesRequest request, ExchangeOptions options) =>
        new FieldChecks().Add(PageTokens.CheckPageSize(request.PageSize, options)).ThrowIfInvalid();

    public static void Validate(this QuoteRequest request, string callerProgram, long maxPoints)
    {
        new FieldChecks()
            .Add(Identifiers.ProgramCode(request.DestinationProgramCode, "destination_program_code"))
            .Add(Identifiers.Points(request.SourcePoints, "source_points", maxPoints))
            .ThrowIfInvalid();
        RefuseSameProgram(request.DestinationProgramCode, callerProgram);
    }

    public static void Validate(this ConvertRequest request, string callerProgram, long maxPoints)
    {
        new FieldChecks()
            .Add(Identifiers.IdempotencyKey(request.IdempotencyKey, "idempotency_key"))
            .Add(Identifiers.MemberNumber(request.SourceMemberNumber, "source_member_number"))
            .Add(Identifiers.ProgramCode(request.DestinationProgramCode, "destination_program_code"))
            .Add(Identifiers.MemberNumber(request.DestinationMemberNumber, "destination_member_number"))
            .Add(Identifiers.Points(request.SourcePoints, "source_points", maxPoints))
            .Add(Identifiers.Reference(request.Reference, "reference"))
            .Require(request.QuoteId.Length <= QuoteIdMaxLength, "quote_id", $"must be at most {QuoteIdMaxLength} characters")
            .ThrowIfInvalid();
        RefuseSameProgram(request.DestinationProgramCode, callerProgram);
    }

    private static void RefuseSameProgram(string destination, string callerProgram)
    {
        if (destination == callerProgram)
        {
            throw RpcErrors.ToException(Refusal.Of(ErrorReason.SameProgram, "Points cannot be converted into their own program."));
        }
    }
}
