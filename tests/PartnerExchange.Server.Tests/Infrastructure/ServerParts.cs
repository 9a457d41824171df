using System.Collections;
using System.Reflection;
using Microsoft.AspNetCore.Builder;
using PartnerExchange.Server.Hosting;
using PartnerExchange.Testing;

namespace PartnerExchange.Server.Tests.Infrastructure;

/// <summary>
/// The server's own parts, for unit tests that call one class directly: resolved from an exchange host that is built
/// (configuration, Redis connection, options) but never started, so no port, ledger or interceptor is involved.
/// The parts are internal types, reached by reflection (the tests otherwise see the server only from outside).
/// </summary>
public sealed class ServerParts : IAsyncLifetime
{
    private readonly Dictionary<string, string?> _settings;
    private WebApplication? _host;

    /// <summary>Parts over the assembly's shared Redis, under a key prefix of their own.</summary>
    public ServerParts()
        : this(RedisServer.Shared.Configuration, 0)
    {
    }

    private ServerParts(string redisConfiguration, int _) => _settings = new Dictionary<string, string?>
    {
        ["Redis:Configuration"] = redisConfiguration,
        ["Redis:KeyPrefix"] = "u" + Guid.NewGuid().ToString("N")[..8],
        ["Ledger:DatabasePath"] = Path.Combine(Path.GetTempPath(), "px-tests", Guid.NewGuid().ToString("N"), "exchange.db"),
        ["Serilog:MinimumLevel:Default"] = "Warning",
    };

    /// <summary>Parts over the Redis at <paramref name="redisConfiguration"/> (one that is down, say); initialize them before use.</summary>
    public static ServerParts Over(string redisConfiguration) => new(redisConfiguration, 0);

    /// <summary>The host's settings; change them before <see cref="InitializeAsync"/>.</summary>
    public IDictionary<string, string?> Settings => _settings;

    public Task InitializeAsync()
    {
        _host = ExchangeHost.Build([], _settings);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    /// <summary>The server's type <c>PartnerExchange.Server.<paramref name="name"/></c>.</summary>
    public static Type TypeOf(string name) => typeof(ExchangeHost).Assembly.GetType("PartnerExchange.Server." + name, throwOnError: true)!;

    /// <summary>The host's instance of <paramref name="typeName"/>, as the running exchange would use it.</summary>
    public object Resolve(string typeName) =>
        (_host ?? throw new InvalidOperationException("Not initialized.")).Services.GetService(TypeOf(typeName))
        ?? throw new InvalidOperationException($"The host has no {typeName}.");

    /// <summary>A new <paramref name="typeName"/> built from <paramref name="arguments"/>.</summary>
    public static object New(string typeName, params object?[] arguments) => Activator.CreateInstance(TypeOf(typeName), arguments)!;

    /// <summary>The value <paramref name="value"/> of the server's enum <paramref name="typeName"/>.</summary>
    public static object EnumValue(string typeName, string value) => Enum.Parse(TypeOf(typeName), value);

    /// <summary>Calls a public instance or static method by name and returns what it returns.</summary>
    public static object? Call(object target, string method, params object?[] arguments)
    {
        var type = target as Type ?? target.GetType();
        var found = type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static)
            .Single(m => m.Name == method && m.GetParameters().Length == arguments.Length);
        try
        {
            return found.Invoke(found.IsStatic ? null : target, arguments);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
    }

    /// <summary>Calls an async method by name and returns its result (null for a plain Task).</summary>
    public static async Task<object?> CallAsync(object target, string method, params object?[] arguments)
    {
        var task = (Task)Call(target, method, arguments)!;
        await task;
        return task.GetType().GetProperty("Result")?.GetValue(task);
    }

    /// <summary>A property's value.</summary>
    public static object? Get(object target, string property) => target.GetType().GetProperty(property)!.GetValue(target);

    /// <summary>A <c>List&lt;T&gt;</c> of the server's type <paramref name="elementType"/> holding <paramref name="items"/>.</summary>
    public static IList ListOf(Type elementType, IEnumerable items)
    {
        var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(elementType))!;
        foreach (var item in items)
        {
            list.Add(item);
        }
        return list;
    }
}
