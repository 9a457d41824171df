using Grpc.Core;
using Microsoft.Extensions.Options;
using PartnerExchange.Ledger;
using PartnerExchange.Ledger.Commands;
using PartnerExchange.Ledger.Reading;
using PartnerExchange.Server.Errors;
using PartnerExchange.Server.Expiry;
using PartnerExchange.Server.Hosting;
using PartnerExchange.Server.Mapping;
using PartnerExchange.Server.Paging;
using PartnerExchange.Server.Security;
using PartnerExchange.Server.Validation;
using PartnerExchange.Server.Writes;
using PartnerExchange.V1;
using LedgerKind = PartnerExchange.Ledger.Commands.PartnerKind;
using LedgerRole = PartnerExchange.Ledger.Commands.ApiKeyRole;

namespace PartnerExchange.Server.Services;

/// <summary>The Admin service: partners, exchange rates, API keys and balance adjustments, for operators.</summary>
internal sealed class AdminApi(
    IdempotentWrites writes, LedgerQueries queries, KeyRevocations revocations, ExpiryRunner expiry, TimeProvider clock,
    IOptions<ExchangeOptions> options, IOptions<LedgerOptions> ledger) : AdminService.AdminServiceBase
{
    public override Task<CreatePartnerResponse> CreatePartner(CreatePartnerRequest request, ServerCallContext context)
    {
        request.Validate();
        var command = new CreatePartner(request.ProgramCode, request.DisplayName, request.ProgramName, (LedgerKind)(int)request.Kind,
            request.SettlementCurrencyCode, request.PointPriceMicros, request.EarnRule?.ToDomain(), request.RateLimits?.ToDomain(),
            request.ExpiryPolicy.ToDomain());
        return writes.RunAsync(context, request, command, p => new CreatePartnerResponse { Partner = p.ToProto() });
    }

    public override async Task<GetPartnerResponse> GetPartner(GetPartnerRequest request, ServerCallContext context)
    {
        AdminValidation.ValidateProgramCode(request.ProgramCode, "", withKey: false);
        var partner = await queries.GetPartnerAsync(request.ProgramCode, context.CancellationToken)
            ?? throw RpcErrors.ToException(Partners.NotFound(request.ProgramCode));
        return new GetPartnerResponse { Partner = partner.ToProto() };
    }

    public override async Task<ListPartnersResponse> ListPartners(ListPartnersRequest request, ServerCallContext context)
    {
        new FieldChecks().Add(PageTokens.CheckPageSize(request.PageSize, options.Value)).ThrowIfInvalid();
        var pageSize = PageTokens.PageSize(request.PageSize, options.Value);
        var partners = await queries.ListPartnersAsync(PageTokens.Cursor(request, request.PageToken), pageSize + 1, context.CancellationToken);
        var (page, next) = PageTokens.Slice(request, partners, pageSize, p => p.ProgramCode);
        return new ListPartnersResponse { Partners = { page.Select(p => p.ToProto()) }, NextPageToken = next };
    }

    public override Task<UpdatePartnerResponse> UpdatePartner(UpdatePartnerRequest request, ServerCallContext context)
    {
        request.Validate();
        var command = new UpdatePartner(request.ProgramCode, request.HasDisplayName ? request.DisplayName : null,
            request.HasProgramName ? request.ProgramName : null,
            request.Kind == V1.PartnerKind.Unspecified ? null : (LedgerKind)(int)request.Kind,
            request.HasPointPriceMicros ? request.PointPriceMicros : null, request.EarnRule?.ToDomain(), request.RateLimits?.ToDomain(),
            request.ExpiryPolicy.ToDomain());
        return writes.RunAsync(context, request, command, p => new UpdatePartnerResponse { Partner = p.ToProto() });
    }

    public override Task<SuspendPartnerResponse> SuspendPartner(SuspendPartnerRequest request, ServerCallContext context)
    {
        AdminValidation.ValidateProgramCode(request.ProgramCode, request.IdempotencyKey, withKey: true);
        return writes.RunAsync(context, request, new SetPartnerSuspended(request.ProgramCode, true),
            p => new SuspendPartnerResponse { Partner = p.ToProto() });
    }

    public override Task<ResumePartnerResponse> ResumePartner(ResumePartnerRequest request, ServerCallContext context)
    {
        AdminValidation.ValidateProgramCode(request.ProgramCode, request.IdempotencyKey, withKey: true);
        return writes.RunAsync(context, request, new SetPartnerSuspended(request.ProgramCode, false),
            p => new ResumePartnerResponse { Partner = p.ToProto() });
    }

    public override Task<SetExchangeRateResponse> SetExchangeRate(SetExchangeRateRequest request, ServerCallContext context)
    {
        request.Validate();
        var command = new SetExchangeRate(request.FromProgramCode, request.ToProgramCode, request.ToTerms(),
            request.EffectiveTime?.ToDateTimeOffset(), request.Enabled);
        return writes.RunAsync(context, request, command, r => new SetExchangeRateResponse { Rate = r.ToProto() });
    }

    public override async Task<ListExchangeRatesResponse> ListExchangeRates(ListExchangeRatesRequest request, ServerCallContext context)
    {
        request.Validate(options.Value);
        var offset = (int)Math.Min(int.MaxValue, PageTokens.NumberCursor(request, request.PageToken, firstPage: 0));
        var pageSize = PageTokens.PageSize(request.PageSize, options.Value);
        var rates = await queries.ListRatesAsync(NullIfEmpty(request.FromProgramCode), NullIfEmpty(request.ToProgramCode),
            request.IncludeHistory, clock.GetUtcNow(), context.CancellationToken);
        // Rate tables are small (a row per change), so this list pages by position.
        var remaining = rates.Skip(offset).Take(pageSize + 1).Select((rate, i) => (rate, position: offset + i + 1)).ToList();
        var (page, next) = PageTokens.Slice(request, remaining, pageSize,
            r => r.position.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return new ListExchangeRatesResponse { Rates = { page.Select(r => r.rate.ToProto()) }, NextPageToken = next };
    }

    public override async Task<CreateApiKeyResponse> CreateApiKey(CreateApiKeyRequest request, ServerCallContext context)
    {
        request.Validate();
        var (keyId, token) = ApiKeySecrets.Generate();
        var command = new CreateApiKey(keyId, ApiKeySecrets.Hash(token), (LedgerRole)(int)request.Role,
            NullIfEmpty(request.ProgramCode), request.Label);
        // The stored (replayable) response never holds the secret; only the call that created the key shows it.
        var response = await writes.RunAsync(context, request, command, k => new CreateApiKeyResponse { ApiKey = k.ToProto() });
        if (response.ApiKey.KeyId == keyId)
        {
            response.Secret = token;
        }
        return response;
    }

    public override async Task<ListApiKeysResponse> ListApiKeys(ListApiKeysRequest request, ServerCallContext context)
    {
        request.Validate(options.Value);
        var pageSize = PageTokens.PageSize(request.PageSize, options.Value);
        var keys = await queries.ListApiKeysAsync(NullIfEmpty(request.ProgramCode), PageTokens.Cursor(request, request.PageToken),
            pageSize + 1, context.CancellationToken);
        var (page, next) = PageTokens.Slice(request, keys, pageSize, k => k.KeyId);
        return new ListApiKeysResponse { ApiKeys = { page.Select(k => k.ToProto()) }, NextPageToken = next };
    }

    public override async Task<RevokeApiKeyResponse> RevokeApiKey(RevokeApiKeyRequest request, ServerCallContext context)
    {
        request.Validate();
        var response = await writes.RunAsync(context, request, new RevokeApiKey(request.KeyId),
            k => new RevokeApiKeyResponse { ApiKey = k.ToProto() });
        await revocations.RevokedHereAsync(request.KeyId);
        return response;
    }

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;

    public override Task<AdjustBalanceResponse> AdjustBalance(AdjustBalanceRequest request, ServerCallContext context)
    {
        request.Validate(ledger.Value.MaxPointsPerTransaction);
        var command = new AdjustBalance(request.ProgramCode, request.MemberNumber, request.Points, request.Reason);
        return writes.RunAsync(context, request, command,
            r => new AdjustBalanceResponse { Transaction = r.Transaction.ToProto(), BalancePoints = r.BalancePoints });
    }

    public override Task<RunExpiryResponse> RunExpiry(RunExpiryRequest request, ServerCallContext context)
    {
        var now = clock.GetUtcNow();
        request.Validate(now);
        var run = new ExpiryRun(writes.ScopeOf(context, request), request.AsOfTime?.ToDateTimeOffset() ?? now, request.ProgramCode.Length == 0 ? null : request.ProgramCode,
            request.DryRun);
        return expiry.RunAsync(run, context.CancellationToken);
    }
}
