using System.CommandLine;
using Osipy.MappedCache.Cli.Formats;

namespace Osipy.MappedCache.Cli.Commands;

/// <summary>
/// Runs a command's action: expected failures become one line on standard error (control characters
/// escaped) and exit code 1, never a stack trace.
/// </summary>
internal static class CommandRunner
{
    public static void SetAction(Command command, Func<ParseResult, int> action) =>
        command.SetAction(parsed =>
        {
            try
            {
                return action(parsed);
            }
            catch (Exception ex) when (ex is CommandException or IOException or UnauthorizedAccessException or InvalidDataException
                or ArgumentException or NotSupportedException or InvalidOperationException or InvalidCastException)
            {
                // One line, whatever a file or key put in the message: no raw control characters reach the terminal.
                Console.Error.WriteLine($"osipy-cache {command.Name}: {Printable.Escape(ex.Message)}");
                return ExitCodes.Failure;
            }
        });
}
