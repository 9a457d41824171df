using System.Globalization;
using System.Runtime.InteropServices;

namespace PartnerExchange.Bench.Reporting;

/// <summary>The machine a run was measured on: figures mean little without it.</summary>
internal sealed record MachineFacts(string Cpu, int Cores, double MemoryGb, string Os, string DotNet, string Host)
{
    public static MachineFacts Current() => new(
        CpuModel(),
        Environment.ProcessorCount,
        Math.Round(MemoryBytes() / 1024.0 / 1024.0 / 1024.0, 1),
        RuntimeInformation.OSDescription,
        RuntimeInformation.FrameworkDescription,
        Environment.MachineName);

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Cores} cores ({Cpu}), {MemoryGb:F1} GB, {Os}, {DotNet}");

    private static string CpuModel()
    {
        const string path = "/proc/cpuinfo";
        var line = File.Exists(path) ? File.ReadLines(path).FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal)) : null;
        return line?.Split(':', 2)[1].Trim() ?? RuntimeInformation.ProcessArchitecture.ToString();
    }

    private static long MemoryBytes()
    {
        const string path = "/proc/meminfo";
        var line = File.Exists(path) ? File.ReadLines(path).FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal)) : null;
        var kilobytes = line?.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
        return kilobytes is null ? GC.GetGCMemoryInfo().TotalAvailableMemoryBytes : long.Parse(kilobytes, CultureInfo.InvariantCulture) * 1024;
    }
}
