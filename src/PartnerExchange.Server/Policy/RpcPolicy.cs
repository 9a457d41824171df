using Google.Protobuf.Reflection;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;
using PartnerExchange.Server.RateLimiting;

namespace PartnerExchange.Server.Policy;

/// <summary>Whose key an RPC needs.</summary>
internal enum CallerRole
{
    /// <summary>No key at all: health and reflection, which say nothing about the network.</summary>
    Anonymous,
    /// <summary>Any valid key, partner or operator; the service applies the partner and operator rules itself.</summary>
    AnyKey,
    /// <summary>A partner key: the call acts for that partner's program.</summary>
    Partner,
    /// <summary>An operator key: admin and settlement.</summary>
    Operator,
}

/// <summary>What an RPC does to the ledger.</summary>
internal enum RpcEffect
{
    /// <summary>Reads only; its request has no idempotency key.</summary>
    Read,
    /// <summary>
    /// Writes through the idempotent write path: its request carries <c>idempotency_key</c> as field 1, and a repeat
    /// is answered with the stored response.
    /// </summary>
    Write,
}

/// <summary>
/// The policy of one RPC, declared once in <see cref="ExchangeRpcPolicies"/>: who may call it, which rate-limit bucket a
/// partner's call draws from (operators draw the operators' bucket whatever the RPC), and whether it writes.
/// </summary>
/// <param name="Service">The proto service the RPC belongs to.</param>
/// <param name="Method">The RPC's name in <paramref name="Service"/>.</param>
/// <param name="Role">Whose key it needs.</param>
/// <param name="LimitClass">The bucket a partner's call draws from; null for anonymous RPCs, which are not limited.</param>
/// <param name="Effect">Whether it takes the idempotent write path.</param>
internal sealed record RpcPolicy(ServiceDescriptor Service, string Method, CallerRole Role, LimitClass? LimitClass, RpcEffect Effect)
{
    /// <summary>The RPC's gRPC path, e.g. <c>/partnerexchange.v1.PointsService/Accrue</c>.</summary>
    public string Path => $"/{Service.FullName}/{Method}";

    /// <summary>Whether the RPC takes the idempotent write path.</summary>
    public bool IsWrite => Effect == RpcEffect.Write;

    /// <summary>What is wrong with the declaration given the RPC's descriptor; empty when nothing is.</summary>
    internal IEnumerable<string> ProblemsWith(MethodDescriptor rpc)
    {
        var keyField = rpc.InputType.FindFieldByName(IdempotencyKeyField);
        if (IsWrite && (keyField is not { FieldNumber: 1, FieldType: FieldType.String } || keyField.IsRepeated))
        {
            yield return $"{rpc.FullName} is declared a write, but {rpc.InputType.Name} has no string {IdempotencyKeyField} as field 1; " +
                "add it, or declare the RPC a read.";
        }
        if (!IsWrite && keyField is not null)
        {
            yield return $"{rpc.FullName} is declared a read, but {rpc.InputType.Name} carries {IdempotencyKeyField}; declare it a write.";
        }
        if (IsWrite && rpc.IsClientStreaming)
        {
            yield return $"{rpc.FullName} is declared a write, but the write path takes one request; declare it a read.";
        }
        foreach (var problem in LimitProblems())
        {
            yield return $"{rpc.FullName}: {problem}";
        }
    }

    /// <summary>The request field every write carries its idempotency key in.</summary>
    public const string IdempotencyKeyField = "idempotency_key";

    // The write path draws a partner's writes bucket itself (RateLimitInterceptor leaves it to it), so for RPCs a
    // partner may call, "writes" and "takes the write path" must be the same set.
    private IEnumerable<string> LimitProblems()
    {
        switch (Role)
        {
            case CallerRole.Anonymous when LimitClass is not null:
                yield return "an anonymous RPC has no caller to limit; give it no limit class";
                break;
            case CallerRole.Anonymous when IsWrite:
                yield return "an anonymous RPC cannot write";
                break;
            case CallerRole.Operator when LimitClass != RateLimiting.LimitClass.Operators:
                yield return "an operator RPC draws the operators' bucket; give it LimitClass.Operators";
                break;
            case CallerRole.Partner or CallerRole.AnyKey when LimitClass is null or RateLimiting.LimitClass.Operators:
                yield return "a partner's call needs a partner bucket (writes, reads or quotes)";
                break;
            case CallerRole.Partner or CallerRole.AnyKey when IsWrite != (LimitClass == RateLimiting.LimitClass.Writes):
                yield return "a partner's write draws the writes bucket, and only a write does";
                break;
        }
    }
}
