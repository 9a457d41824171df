using System.ComponentModel;
using System.Diagnostics;

namespace PartnerExchange.Testing;

/// <summary>Runs a command-line tool (dotnet, npm, node) to its end for a test, and fails the test when it fails.</summary>
public static class ToolRun
{
    /// <summary>
    /// Runs <paramref name="program"/> in <paramref name="workingDirectory"/> and returns what it printed; the test
    /// fails, showing both streams, when it exits non-zero, and the tool is killed after <paramref name="timeout"/>.
    /// </summary>
    public static async Task<string> RunAsync(
        string program, string workingDirectory, TimeSpan timeout, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start.");
        }
        catch (Win32Exception e)
        {
            // A machine without the tool must say so, not skip: CI has every tool the tests run.
            throw new InvalidOperationException($"'{program}' is not installed or not on PATH, and this test runs it.", e);
        }
        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            using var deadline = new CancellationTokenSource(timeout);
            try
            {
                await process.WaitForExitAsync(deadline.Token);
            }
            finally
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }
            }
            Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', arguments)} exited {process.ExitCode}:\n{await output}\n{await errors}");
            return await output;
        }
    }
}
