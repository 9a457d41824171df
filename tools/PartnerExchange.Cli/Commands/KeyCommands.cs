using System.CommandLine;
using PartnerExchange.Cli.Output;
using PartnerExchange.V1;

namespace PartnerExchange.Cli.Commands;

/// <summary><c>pxctl keys create|list|revoke</c>.</summary>
internal static class KeyCommands
{
    public static Command Build(CommandRunner runner)
    {
        var keys = new Command("keys", "API keys of partners and operators.");
        keys.Subcommands.Add(Create(runner));
        keys.Subcommands.Add(List(runner));
        keys.Subcommands.Add(Revoke(runner));
        return keys;
    }

    private static Command Create(CommandRunner runner)
    {
        var partner = new Option<string?>("--partner") { Description = "Create a partner key acting for this program." };
        var operatorKey = new Option<bool>("--operator") { Description = "Create an operator key." };
        var label = new Option<string>("--label") { Description = "A label to tell keys apart.", Required = true };
        var command = new Command("create", "Creates an API key and prints its secret, once.") { partner, operatorKey, label };
        command.Validators.Add(result =>
        {
            var hasPartner = result.GetValue(partner) is not null;
            if (hasPartner == result.GetValue(operatorKey))
            {
                result.AddError("Give exactly one of --partner CODE or --operator.");
            }
        });
        runner.Mutates(command, async (context, cancellationToken) =>
        {
            var request = new CreateApiKeyRequest
            {
                IdempotencyKey = context.IdempotencyKey,
                Role = context.Value(operatorKey) ? ApiKeyRole.Operator : ApiKeyRole.Partner,
                ProgramCode = context.Value(partner) ?? "",
                Label = context.Required(label),
            };
            var response = await context.Exchange.Admin.CreateApiKeyAsync(request, context.Exchange.Call(cancellationToken));
            if (context.Output.IsJson)
            {
                context.Output.WriteJson(response);
                return Cli.ExitOk;
            }
            var key = response.ApiKey;
            var owner = key.Role == ApiKeyRole.Operator ? "operator key" : $"partner key for {key.ProgramCode}";
            context.Output.Line($"Created {owner} {key.KeyId} (label \"{key.Label}\").");
            if (response.Secret.Length == 0)
            {
                // A replay of the same idempotency key returns the metadata only: the secret exists once.
                context.Output.Line("No secret in this response: the key was created earlier with this idempotency key and its");
                context.Output.Line("secret was shown then. If it was lost, revoke the key and create a new one.");
                return Cli.ExitOk;
            }
            context.Output.Line("Secret (shown this once; store it now, it cannot be read again):");
            context.Output.Line();
            context.Output.Line($"    {response.Secret}");
            context.Output.Line();
            return Cli.ExitOk;
        });
        return command;
    }

    private static Command List(CommandRunner runner)
    {
        var partner = new Option<string?>("--partner") { Description = "Only this partner's keys." };
        var command = new Command("list", "Lists API keys (never their secrets).") { partner };
        runner.Reads(command, async (context, cancellationToken) =>
        {
            var all = new ListApiKeysResponse();
            var request = new ListApiKeysRequest { ProgramCode = context.Value(partner) ?? "", PageSize = OptionFactory.PageSize };
            do
            {
                var page = await context.Exchange.Admin.ListApiKeysAsync(request, context.Exchange.Call(cancellationToken));
                all.ApiKeys.AddRange(page.ApiKeys);
                request.PageToken = page.NextPageToken;
            }
            while (request.PageToken.Length > 0);

            if (context.Output.IsJson)
            {
                context.Output.WriteJson(all);
                return Cli.ExitOk;
            }
            var table = Terminal.NewTable("KEY ID", "ROLE", "PARTNER", "LABEL", "CREATED", "REVOKED");
            foreach (var key in all.ApiKeys)
            {
                Terminal.AddRow(
                    table, key.KeyId, Display.Name(key.Role), key.ProgramCode, key.Label, Display.Time(key.CreateTime), Display.Time(key.RevokeTime));
            }
            context.Output.Write(table);
            context.Output.Line($"{all.ApiKeys.Count} key(s)");
            return Cli.ExitOk;
        });
        return command;
    }

    private static Command Revoke(CommandRunner runner)
    {
        var keyId = new Argument<string>("KEY_ID") { Description = "The key to revoke, at once and for good." };
        var command = new Command("revoke", "Revokes an API key.") { keyId };
        runner.Mutates(command, async (context, cancellationToken) =>
        {
            var response = await context.Exchange.Admin.RevokeApiKeyAsync(
                new RevokeApiKeyRequest { IdempotencyKey = context.IdempotencyKey, KeyId = context.Required(keyId) },
                context.Exchange.Call(cancellationToken));
            if (context.Output.IsJson)
            {
                context.Output.WriteJson(response);
                return Cli.ExitOk;
            }
            context.Output.Line($"Revoked {response.ApiKey.KeyId} at {Display.Time(response.ApiKey.RevokeTime)}.");
            return Cli.ExitOk;
        });
        return command;
    }
}
