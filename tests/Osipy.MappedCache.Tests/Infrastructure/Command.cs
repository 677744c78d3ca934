using System.Diagnostics;

namespace Osipy.MappedCache.Tests.Infrastructure;

/// <summary>Runs a program the tests need (mount, redis-server, redis-cli) and returns its exit code and output.</summary>
public static class Command
{
    /// <returns>The exit code and stdout followed by stderr; -1 and the reason when the program cannot be started.</returns>
    public static (int ExitCode, string Output) Run(string file, params string[] args)
    {
        try
        {
            var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (string arg in args)
            {
                start.ArgumentList.Add(arg);
            }

            using Process process = Process.Start(start)!;
            Task<string> errors = process.StandardError.ReadToEndAsync(); // both pipes drained at once: neither can fill and block
            string output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, output + errors.GetAwaiter().GetResult());
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return (-1, ex.Message);
        }
    }
}
