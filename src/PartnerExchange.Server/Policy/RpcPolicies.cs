using System.Collections.Frozen;

namespace PartnerExchange.Server.Policy;

/// <summary>
/// Every RPC's policy by its gRPC path, checked against the proto descriptors: each method of each service named in
/// the table has exactly one policy, and no policy names a method that does not exist. The host refuses to start
/// while <see cref="Problems"/> is not empty or a method it serves has no policy (<see cref="PolicyCheck"/>).
/// </summary>
internal sealed class RpcPolicies
{
    private readonly FrozenDictionary<string, RpcPolicy> _byPath;

    public RpcPolicies(IEnumerable<RpcPolicy> policies)
    {
        ArgumentNullException.ThrowIfNull(policies);
        var all = policies.ToList();
        var problems = new List<string>();
        var byPath = new Dictionary<string, RpcPolicy>(StringComparer.Ordinal);
        foreach (var policy in all)
        {
            if (!byPath.TryAdd(policy.Path, policy))
            {
                problems.Add($"{policy.Path} has two policies; keep one.");
            }
        }
        foreach (var service in all.Select(p => p.Service).Distinct())
        {
            foreach (var rpc in service.Methods)
            {
                if (byPath.TryGetValue($"/{service.FullName}/{rpc.Name}", out var policy))
                {
                    problems.AddRange(policy.ProblemsWith(rpc));
                }
                else
                {
                    problems.Add($"{rpc.FullName} has no policy; declare its role, limit class and effect in {nameof(ExchangeRpcPolicies)}.");
                }
            }
        }
        problems.AddRange(all.Where(p => p.Service.FindMethodByName(p.Method) is null)
            .Select(p => $"{p.Service.FullName} has no RPC {p.Method}; remove its policy from {nameof(ExchangeRpcPolicies)}."));
        _byPath = byPath.ToFrozenDictionary(StringComparer.Ordinal);
        Problems = problems;
    }

    /// <summary>What is wrong with the table; the host does not start unless this is empty.</summary>
    public IReadOnlyList<string> Problems { get; }

    /// <summary>The policy of the RPC at <paramref name="path"/>, or null when it has none.</summary>
    public RpcPolicy? Find(string path) => _byPath.GetValueOrDefault(path);

    /// <summary>
    /// The policy of the RPC at <paramref name="path"/>. An RPC without one never gets this far (the host does not
    /// start), so a miss is a wiring bug: it fails the call rather than let it through unchecked.
    /// </summary>
    public RpcPolicy Of(string path) =>
        Find(path) ?? throw new InvalidOperationException($"{path} has no policy; declare it in {nameof(ExchangeRpcPolicies)}.");
}
