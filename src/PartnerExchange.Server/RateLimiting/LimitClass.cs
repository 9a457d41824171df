namespace PartnerExchange.Server.RateLimiting;

/// <summary>
/// The bucket a call draws from: each partner has one per class, so heavy reads never starve writes. Each RPC's
/// class is declared in its policy (<see cref="Policy.ExchangeRpcPolicies"/>).
/// </summary>
internal enum LimitClass
{
    /// <summary>Calls that post to the ledger.</summary>
    Writes,
    /// <summary>Calls that read accounts, transactions or rates.</summary>
    Reads,
    /// <summary>Price quotes: reads that are cheap to ask for in bulk, so they get their own bucket.</summary>
    Quotes,
    /// <summary>Admin API calls, shared by all operator keys (limited only when configured).</summary>
    Operators,
}

/// <summary>The names of the limit classes.</summary>
internal static class LimitClasses
{
    /// <summary>The class's name in keys, errors and metadata (<c>writes</c>, <c>reads</c>, …).</summary>
    public static string Name(LimitClass limitClass) => limitClass switch
    {
        LimitClass.Writes => "writes",
        LimitClass.Reads => "reads",
        LimitClass.Quotes => "quotes",
        LimitClass.Operators => "operators",
        _ => throw new ArgumentOutOfRangeException(nameof(limitClass), limitClass, "Not a limit class."),
    };
}
