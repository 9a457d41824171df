using System.Collections.Frozen;
using PartnerExchange.V1;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;

namespace PartnerExchange.Server.RateLimiting;

/// <summary>The bucket a call draws from: each partner has one per class, so heavy reads never starve writes.</summary>
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

/// <summary>
/// Which class each partner RPC of partnerexchange.v1 belongs to. Every method of the partner services
/// must be listed: a new RPC without a class fails the first call loudly instead of going unlimited.
/// </summary>
internal static class MethodClasses
{
    private static readonly FrozenDictionary<string, LimitClass> ByMethod = Build(
        (PointsService.Descriptor,
        [
            ("EnrollMember", LimitClass.Writes),
            ("Accrue", LimitClass.Writes),
            ("Redeem", LimitClass.Writes),
            ("Reverse", LimitClass.Writes),
            ("GetAccount", LimitClass.Reads),
            ("ListTransactions", LimitClass.Reads),
            ("GetTransaction", LimitClass.Reads),
        ]),
        (ConversionService.Descriptor,
        [
            ("ListRates", LimitClass.Reads),
            ("Quote", LimitClass.Quotes),
            ("Convert", LimitClass.Writes),
        ]),
        (DiagnosticsService.Descriptor,
        [
            ("Ping", LimitClass.Reads),
        ]),
        // One draw per stream opened, not per event: the stream cap bounds what an open stream costs.
        (EventsService.Descriptor,
        [
            ("StreamEvents", LimitClass.Reads),
        ]));

    /// <summary>The class of a partner RPC by its full gRPC path, e.g. <c>/partnerexchange.v1.PointsService/Accrue</c>.</summary>
    public static LimitClass Of(string method) =>
        ByMethod.TryGetValue(method, out var limitClass)
            ? limitClass
            : throw new InvalidOperationException($"{method} has no rate-limit class; add it to {nameof(MethodClasses)}.");

    /// <summary>The class's name in keys, errors and metadata (<c>writes</c>, <c>reads</c>, …).</summary>
    public static string Name(LimitClass limitClass) => limitClass switch
    {
        LimitClass.Writes => "writes",
        LimitClass.Reads => "reads",
        LimitClass.Quotes => "quotes",
        LimitClass.Operators => "operators",
        _ => throw new ArgumentOutOfRangeException(nameof(limitClass), limitClass, "Not a limit class."),
    };

    private static FrozenDictionary<string, LimitClass> Build(params (ServiceDescriptor Service, (string Method, LimitClass Class)[] Methods)[] services)
    {
        var byMethod = new Dictionary<string, LimitClass>(StringComparer.Ordinal);
        foreach (var (service, methods) in services)
        {
            var listed = methods.ToDictionary(m => m.Method, m => m.Class, StringComparer.Ordinal);
            foreach (var method in service.Methods)
            {
                if (!listed.Remove(method.Name, out var limitClass))
                {
                    throw new InvalidOperationException($"{service.FullName}.{method.Name} has no rate-limit class; add it to {nameof(MethodClasses)}.");
                }
                byMethod.Add($"/{service.FullName}/{method.Name}", limitClass);
            }
            if (listed.Count > 0)
            {
                throw new InvalidOperationException($"{service.FullName} has no method {string.Join(", ", listed.Keys)}; remove it from {nameof(MethodClasses)}.");
            }
        }
        return byMethod.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
