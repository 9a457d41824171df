using System.Diagnostics;
using System.Runtime.InteropServices;

namespace PartnerExchange.Bench.Load;

/// <summary>
/// Sleeps the calling thread until a <see cref="Stopwatch"/> time, never returning early. On Linux it sleeps in
/// microseconds (usleep), so an open-loop call leaves within about a tenth of a millisecond of its due time
/// on a quiet machine; a timer in whole milliseconds would add up to two to every latency. It sleeps rather
/// than spins, because the generator shares the CPU with the server it measures.
/// </summary>
internal static partial class ArrivalClock
{
    public static void SleepUntil(long due)
    {
        while (true)
        {
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait <= TimeSpan.Zero)
            {
                return;
            }
            if (OperatingSystem.IsLinux())
            {
                _ = MicrosecondSleep((uint)Math.Min(wait.Ticks / 10 + 1, 1_000_000));
            }
            else
            {
                Thread.Sleep((int)Math.Ceiling(wait.TotalMilliseconds));
            }
        }
    }

    [DllImport("libc", EntryPoint = "usleep")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int MicrosecondSleep(uint microseconds);
}
