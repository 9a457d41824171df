using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using PartnerExchange.Domain.Expiry;
using PartnerExchange.Domain.Points;
using PartnerExchange.Domain.Rates;
using PartnerExchange.Ledger.Commands;
using PartnerExchange.Ledger.Reading;
using PartnerExchange.Ledger.Writing;
using PartnerExchange.Server.Hosting;
using PartnerExchange.Server.Security;

namespace PartnerExchange.Server.Demo;

/// <summary>
/// A small network to call at once: an airline, a hotel group and a retailer, with rates between them, a
/// member each, and fresh keys printed at every start. Seeding uses fixed idempotency keys, so restarting
/// the demo on the same data changes nothing but the keys.
/// </summary>
internal static class DemoNetwork
{
    private static readonly CreatePartner[] Partners =
    [
        // Miles that expire 24 months after they were earned, as airline programs' do.
        new("SKYAIR", "Sky Air", "SkyMiles", PartnerKind.Airline, "USD", 12_000, null,
            ExpiryPolicy: new ExpiryPolicy(ExpiryPolicyKind.LotLifetime, 24)),
        new("STAYCO", "Stay & Co Hotels", "Stay Rewards", PartnerKind.Hotel, "USD", 5_000, null),
        new("SHOPMART", "ShopMart", "ShopMart Points", PartnerKind.Retailer, "USD", 8_000, new EarnRule("USD", 2, 100)),
    ];

    private static readonly SetExchangeRate[] Rates =
    [
        // 1,000 ShopMart points buy 800 SkyMiles, in steps of 500, for a 10-point fee.
        new("SHOPMART", "SKYAIR", new ExchangeRateTerms(1_000, 800, 1_000, 1_000_000, 500, 10, 0, null, null), null, true),
        // 1 ShopMart point buys 1 Stay point; a standing 25% bonus.
        new("SHOPMART", "STAYCO", new ExchangeRateTerms(1, 1, 100, 500_000, 100, 0, 2_500, null, null), null, true),
        // 1 SkyMile buys 2 Stay points; 3 Stay points buy 1 SkyMile: a round trip loses.
        new("SKYAIR", "STAYCO", new ExchangeRateTerms(1, 2, 1_000, 1_000_000, 1_000, 0, 0, null, null), null, true),
        new("STAYCO", "SKYAIR", new ExchangeRateTerms(3, 1, 3_000, 3_000_000, 3_000, 0, 0, null, null), null, true),
    ];

    private static readonly (string Program, string Member)[] Members = [("SKYAIR", "A100"), ("STAYCO", "H200"), ("SHOPMART", "S300")];

    public static Task SeedAndPrintAsync(WebApplication app, CancellationToken cancellationToken)
    {
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? "http://127.0.0.1:5080";
        return SeedAndPrintAsync(app.Services, address, Console.Out, cancellationToken);
    }

    /// <summary>Seeds the network (a second time changes nothing) and writes how to call it to <paramref name="output"/>.</summary>
    public static async Task SeedAndPrintAsync(IServiceProvider services, string address, TextWriter output, CancellationToken cancellationToken)
    {
        var writer = services.GetRequiredService<ILedgerWriter>();
        foreach (var partner in Partners)
        {
            await WriteAsync(writer, null, $"demo-partner-{partner.ProgramCode}", partner, cancellationToken);
        }
        foreach (var rate in Rates)
        {
            await WriteAsync(writer, null, $"demo-rate-{rate.FromProgramCode}-{rate.ToProgramCode}", rate, cancellationToken);
        }
        foreach (var (program, member) in Members)
        {
            await WriteAsync(writer, program, $"demo-enroll-{member}", new EnrollMember(program, member), cancellationToken);
        }
        await WriteAsync(writer, "SHOPMART", "demo-welcome-S300",
            new Accrue("SHOPMART", "S300", 50_000, null, null, 5, "welcome", long.MaxValue), cancellationToken);
        var keys = new List<(string Program, string Token)>();
        foreach (var partner in Partners)
        {
            var (keyId, token) = ApiKeySecrets.Generate();
            var command = new CreateApiKey(keyId, ApiKeySecrets.Hash(token), ApiKeyRole.Partner, partner.ProgramCode, "demo");
            await WriteAsync(writer, null, $"demo-key-{keyId}", command, cancellationToken);
            keys.Add((partner.ProgramCode, token));
        }
        var balances = new List<string>();
        foreach (var (program, member) in Members)
        {
            var account = await services.GetRequiredService<LedgerQueries>().GetAccountAsync(program, member, cancellationToken);
            var programName = Partners.Single(p => p.ProgramCode == program).ProgramName;
            balances.Add($"{program} {member} ({(account?.BalancePoints ?? 0).ToString("N0", CultureInfo.InvariantCulture)} {programName})");
        }
        var operatorKey = services.GetRequiredService<IOptions<ExchangeOptions>>().Value.OperatorKey;
        await output.WriteLineAsync(Instructions(address, operatorKey, keys, balances));
    }

    private static async Task WriteAsync<TResult>(
        ILedgerWriter writer, string? program, string idempotencyKey, LedgerCommand<TResult> command, CancellationToken cancellationToken)
    {
        var scope = new IdempotencyScope(program ?? IdempotencyScope.OperatorPrincipal, program, "demo", idempotencyKey, "demo",
            Encoding.UTF8.GetBytes(idempotencyKey));
        var outcome = await writer.WriteAsync(scope, command, o => new StoredResponse(!o.IsSuccess, []), cancellationToken);
        if (!outcome.IsSuccess || (outcome.Value.Response.IsRefusal && !outcome.Value.Replayed))
        {
            throw new InvalidOperationException($"The demo network could not be seeded ({idempotencyKey}).");
        }
    }

    private static string Instructions(string address, string? operatorKey, List<(string Program, string Token)> keys, List<string> balances)
    {
        var text = new StringBuilder();
        text.AppendLine().AppendLine($"PartnerExchange demo network is up on {address}").AppendLine();
        text.AppendLine("Partner keys (shown once; new ones at every start):");
        foreach (var (program, token) in keys)
        {
            text.AppendLine($"  export {program}_KEY={token}");
        }
        text.AppendLine(operatorKey is null
            ? "Operator: set PX_OPERATOR_KEY before starting to call the Admin service."
            : "Operator: the key in PX_OPERATOR_KEY.");
        // Balances as they are now: a restart on the same data shows what earlier calls left.
        text.AppendLine().AppendLine($"Members: {string.Join(", ", balances)}.");
        text.AppendLine("Call it with buf curl (see README), e.g. ShopMart converts 5,000 points of S300 into SkyMiles for A100:");
        text.AppendLine($"  buf curl --protocol grpc --http2-prior-knowledge -H \"authorization: Bearer $SHOPMART_KEY\" \\");
        text.AppendLine("    -d '{\"idempotency_key\":\"first-convert\",\"source_member_number\":\"S300\",\"destination_program_code\":\"SKYAIR\",\"destination_member_number\":\"A100\",\"source_points\":5000}' \\");
        text.AppendLine($"    {address}/partnerexchange.v1.ConversionService/Convert");
        return text.ToString();
    }
}
