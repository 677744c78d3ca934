using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Osipy.MappedCache.Tests.Infrastructure;

/// <summary>Runs the osipy-cache tool (built beside the tests) as a separate process, as a user runs it.</summary>
public static class OsipyCacheTool
{
    private static string Dll => Path.Combine(AppContext.BaseDirectory, "osipy-cache.dll");

    /// <summary>Runs it with input and output redirected (pipes): exit code, standard output, standard error.</summary>
    public static (int ExitCode, string Output, string Error) Run(params string[] args) => RunWith(new Dictionary<string, string?>(), args);

    /// <summary>
    /// Runs it with <paramref name="environment"/> added to (or, for null values, removed from) the
    /// test's own. Standard input is an empty pipe, as in a script, whatever the test runner's is.
    /// </summary>
    public static (int ExitCode, string Output, string Error) RunWith(IReadOnlyDictionary<string, string?> environment, params string[] args) =>
        RunIn(null, environment, args);

    /// <summary>Runs it in <paramref name="workingDirectory"/> (the test's own when null), with <paramref name="environment"/> as in <see cref="RunWith"/>.</summary>
    public static (int ExitCode, string Output, string Error) RunIn(string? workingDirectory, IReadOnlyDictionary<string, string?> environment, params string[] args) =>
        RunProgram(NativeLibraryFixture.DotnetHost(), [Dll, .. args], environment, workingDirectory);

    /// <summary>
    /// Runs it from bash after <paramref name="setup"/> (for example <c>ulimit -f 64</c>), which
    /// changes the limits or signals the tool inherits; redirected as <see cref="Run"/>.
    /// </summary>
    public static (int ExitCode, string Output, string Error) RunInShell(string setup, params string[] args) =>
        RunProgram("bash", ["-c", $"{setup}; exec {Quote(NativeLibraryFixture.DotnetHost())} {string.Join(' ', new[] { Dll }.Concat(args).Select(Quote))}"], new Dictionary<string, string?>());

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
        using Process process = StartOnTerminal(args);
        Task<string> error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output + error.GetAwaiter().GetResult());
    }

    /// <summary>
    /// Runs it on a pseudo-terminal and, once the terminal shows <paramref name="prompt"/>, types
    /// <paramref name="input"/> as a user answering it would; the exit code and the terminal's whole
    /// output (with the echoed answer). If the tool ends without showing the prompt, nothing is typed.
    /// </summary>
    public static (int ExitCode, string Terminal) RunOnTerminalTyping(string prompt, string input, params string[] args)
    {
        using Process process = StartOnTerminal(args, typing: true);
        Task<string> error = process.StandardError.ReadToEndAsync();
        var terminal = new StringBuilder();
        var buffer = new char[4096];
        bool typed = false;
        int read;
        while ((read = process.StandardOutput.Read(buffer, 0, buffer.Length)) > 0)
        {
            terminal.Append(buffer, 0, read);
            if (!typed && terminal.ToString().Contains(prompt, StringComparison.Ordinal))
            {
                process.StandardInput.Write(input);
                process.StandardInput.Flush();
                typed = true;
            }
        }

        process.WaitForExit();
        return (process.ExitCode, terminal + error.GetAwaiter().GetResult());
    }

    private static (int ExitCode, string Output, string Error) RunProgram(string program, string[] args, IReadOnlyDictionary<string, string?> environment, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory ?? string.Empty,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach ((string name, string? value) in environment)
        {
            start.Environment[name] = value;
        }

        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start)!;
        process.StandardInput.Close();
        Task<string> error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output, error.GetAwaiter().GetResult());
    }

    private static Process StartOnTerminal(string[] args, bool typing = false)
    {
        string command = string.Join(' ', new[] { NativeLibraryFixture.DotnetHost(), Dll }.Concat(args).Select(Quote));
        var start = new ProcessStartInfo("script") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = typing, UseShellExecute = false };
        foreach (string arg in new[] { "-qefc", command, "/dev/null" })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["TERM"] = "xterm-256color";
        start.Environment["COLUMNS"] = "120";
        return Process.Start(start)!;
    }

    /// <summary>One shell word, single-quoted.</summary>
    private static string Quote(string word) => "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
