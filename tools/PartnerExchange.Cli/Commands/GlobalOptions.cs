using System.CommandLine;

namespace PartnerExchange.Cli.Commands;

/// <summary>The options every command takes, placed on the root command and inherited by all below it.</summary>
internal sealed class GlobalOptions
{
    /// <summary>The exchange address when neither --address nor PX_ADDRESS says otherwise.</summary>
    public const string DefaultAddress = "http://127.0.0.1:5080";

    /// <summary>How long one call may take when --timeout does not say otherwise.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    public Option<string?> Address { get; } = new("--address")
    {
        Description = $"The exchange's gRPC address (env PX_ADDRESS; default {DefaultAddress}).",
        Recursive = true,
    };

    // No default value factory on purpose: help prints defaults, and the key must never be printed.
    public Option<string?> Key { get; } = new("--key")
    {
        Description = "The operator API key (env PX_OPERATOR_KEY). Required; never printed.",
        Recursive = true,
    };

    public Option<string?> CaCertificate { get; } = new("--ca-cert")
    {
        HelpName = "FILE",
        Description = "PEM file of the authorities to trust for the exchange's certificate instead of the machine's trusted roots, "
            + "e.g. a private CA (env PX_CA_CERT; https:// only).",
        Recursive = true,
    };

    public Option<string?> ClientCertificate { get; } = new("--client-cert")
    {
        HelpName = "FILE",
        Description = "PEM client certificate to present when the exchange requires one (mutual TLS; env PX_CLIENT_CERT). Needs --client-key.",
        Recursive = true,
    };

    public Option<string?> ClientKey { get; } = new("--client-key")
    {
        HelpName = "FILE",
        Description = "PEM private key of --client-cert (env PX_CLIENT_KEY).",
        Recursive = true,
    };

    public Option<string> Output { get; } = CreateOutputOption();

    public Option<TimeSpan> Timeout { get; } = new("--timeout")
    {
        Description = "Longest time one call to the exchange may take, e.g. 30s, 2m, 500ms.",
        Recursive = true,
        DefaultValueFactory = _ => DefaultTimeout,
        CustomParser = result => ValueParsers.ParseWith(result, text => ValueParsers.ParseDuration(text, positive: true)),
    };

    public void AddTo(Command root)
    {
        root.Options.Add(Address);
        root.Options.Add(Key);
        root.Options.Add(CaCertificate);
        root.Options.Add(ClientCertificate);
        root.Options.Add(ClientKey);
        root.Options.Add(Output);
        root.Options.Add(Timeout);
    }

    private static Option<string> CreateOutputOption()
    {
        var option = new Option<string>("--output", "-o")
        {
            Description = "table for people, json for scripts (one JSON document on stdout).",
            Recursive = true,
            DefaultValueFactory = _ => "table",
        };
        option.AcceptOnlyFromAmong("table", "json");
        return option;
    }
}
