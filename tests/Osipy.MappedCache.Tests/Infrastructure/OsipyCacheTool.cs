using System.Diagnostics;
using System.Text.Json;

namespace Osipy.MappedCache.Tests.Infrastructure;

/// <summary>Runs the osipy-cache tool (built beside the tests) as a separate process, as a user runs it.</summary>
public static class OsipyCacheTool
{
    private static string Dll => Path.Combine(AppContext.BaseDirectory, "osipy-cache.dll");

    /// <summary>Runs it with output redirected (a pipe): exit code, standard output, standard error.</summary>
    public static (int ExitCode, string Output, string Error) Run(params string[] args) => RunWith(new Dictionary<string, string?>(), args);

    /// <summary>Runs it with <paramref name="environment"/> added to (or, for null values, removed from) the test's own.</summary>
    public static (int ExitCode, string Output, string Error) RunWith(IReadOnlyDictionary<string, string?> environment, params string[] args) =>
        RunIn(null, environment, args);

    /// <summary>Runs it in <paramref name="workingDirectory"/> (the test's own when null), with <paramref name="environment"/> as in <see cref="RunWith"/>.</summary>
    public static (int ExitCode, string Output, string Error) RunIn(string? workingDirectory, IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var start = new ProcessStartInfo(NativeLibraryFixture.DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? string.Empty,
        };
        foreach ((string name, string? value) in environment)
        {
            start.Environment[name] = value;
        }

        start.ArgumentList.Add(Dll);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start)!;
        Task<string> error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output, error.GetAwaiter().GetResult());
    }

    /// <summary>Runs it with <c>--json</c> appended, expects exit code 0 and returns the parsed document.</summary>
    public static JsonElement Json(params string[] args)
    {
        (int exit, string output, string error) = Run([.. args, "--json"]);
        Assert.True(exit == 0, $"exit {exit}: {error}{output}");
        using var document = JsonDocument.Parse(output);
        return document.RootElement.Clone();
    }

    /// <summary>Runs it on a pseudo-terminal (util-linux <c>script</c>), as in an interactive shell; the terminal's whole output.</summary>
    public static (int ExitCode, string Terminal) RunOnTerminal(params string[] args)
    {
        string command = string.Join(' ', new[] { NativeLibraryFixture.DotnetHost(), Dll }.Concat(args).Select(a => "'" + a.Replace("'", "'\\''", StringComparison.Ordinal) + "'"));
        var start = new ProcessStartInfo("script") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in new[] { "-qefc", command, "/dev/null" })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["TERM"] = "xterm-256color";
        start.Environment["COLUMNS"] = "120";
        using Process process = Process.Start(start)!;
        Task<string> error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output + error.GetAwaiter().GetResult());
    }
}
