using System.Diagnostics;
using PartnerExchange.Testing;

namespace PartnerExchange.Server.Tests.Infrastructure;

/// <summary>
/// The built server run as a process of its own, for what an in-process exchange cannot show: a SIGKILL, or exactly
/// what the process prints. It listens on a free loopback port with a fresh operator key and the tests' Redis unless
/// the environment given says otherwise; its output is always read, so a full pipe never blocks it.
/// </summary>
internal static class ServerProcess
{
    public static Process Start(IReadOnlyDictionary<string, string> environment, Action<string>? onLine = null)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "PartnerExchange.Server.dll"));
        start.Environment["PX_LISTEN"] = $"http://127.0.0.1:{LoopbackPorts.Free()}";
        start.Environment["PX_OPERATOR_KEY"] = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        start.Environment["PX_REDIS"] = RedisServer.Shared.Configuration;
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("The server process did not start.");
        process.OutputDataReceived += (_, e) => Forward(e.Data);
        process.ErrorDataReceived += (_, e) => Forward(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;

        void Forward(string? line)
        {
            if (line is not null)
            {
                onLine?.Invoke(line);
            }
        }
    }
}
