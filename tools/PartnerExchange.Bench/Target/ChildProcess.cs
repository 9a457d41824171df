using System.Collections.Concurrent;
using System.Diagnostics;

namespace PartnerExchange.Bench.Target;

/// <summary>
/// A process the benchmark started (the server, Redis). Disposing it kills it with its children; a process
/// still alive when the benchmark exits for any other reason (an error, Ctrl-C, SIGTERM) is killed then.
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private static readonly ConcurrentDictionary<int, Process> Live = new();
    private static int _exitHookInstalled;

    private readonly Process _process;

    private ChildProcess(Process process, string name, string logPath)
    {
        _process = process;
        Name = name;
        LogPath = logPath;
    }

    public string Name { get; }
    public string LogPath { get; }
    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;

    /// <summary>Starts <paramref name="info"/>; its output goes where the start info or its command says (a log file).</summary>
    public static ChildProcess Start(string name, ProcessStartInfo info, string logPath)
    {
        if (Interlocked.Exchange(ref _exitHookInstalled, 1) == 0)
        {
            AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAllLive();
        }
        var process = Process.Start(info) ?? throw new InvalidOperationException($"{name} did not start ({info.FileName}).");
        Live[process.Id] = process;
        return new ChildProcess(process, name, logPath);
    }

    /// <summary>The last lines of the process's log, to say why it failed.</summary>
    public string LogTail(int lines = 30) =>
        File.Exists(LogPath) ? string.Join(Environment.NewLine, File.ReadLines(LogPath).TakeLast(lines)) : "(no log)";

    public async ValueTask DisposeAsync()
    {
        Live.TryRemove(_process.Id, out _);
        Kill(_process);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await _process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine($"warning: {Name} (pid {_process.Id}) did not exit within 10 s of being killed.");
        }
        _process.Dispose();
    }

    private static void KillAllLive()
    {
        foreach (var process in Live.Values)
        {
            Kill(process);
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // It exited between the check and the kill: nothing left to do.
        }
    }
}
