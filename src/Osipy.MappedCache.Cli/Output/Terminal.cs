using Spectre.Console;

namespace Osipy.MappedCache.Cli.Output;

/// <summary>
/// The tool's two consoles (Spectre.Console): tables on standard output, progress on standard
/// error, so <c>--json</c> output stays one clean document. Redirected output gets no colours, no
/// cursor movement and a wide line, so tables are not folded in a log file.
/// </summary>
internal static class Terminal
{
    public static IAnsiConsole Out { get; } = Create(Console.Out, Console.IsOutputRedirected);

    public static IAnsiConsole Error { get; } = Create(Console.Error, Console.IsErrorRedirected);

    /// <summary>Whether progress can be drawn as a live bar (standard error is a terminal).</summary>
    public static bool ErrorIsInteractive => !Console.IsErrorRedirected && Error.Profile.Capabilities.Interactive;

    private static IAnsiConsole Create(TextWriter writer, bool redirected)
    {
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = redirected ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = redirected ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
            Interactive = redirected ? InteractionSupport.No : InteractionSupport.Detect,
        });
        if (redirected)
        {
            console.Profile.Width = 240;
        }

        return console;
    }
}
