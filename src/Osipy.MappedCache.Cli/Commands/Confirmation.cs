namespace Osipy.MappedCache.Cli.Commands;

/// <summary>
/// Asks before a command removes what cannot be brought back: on a terminal, a yes/no question whose
/// default is no; with standard input redirected (a script, a pipe, a cron job), no question at all
/// but a refusal that names the option that skips it.
/// </summary>
internal static class Confirmation
{
    /// <summary>
    /// Asks <paramref name="question"/> on standard error and reads the answer from standard input;
    /// true only for <c>y</c> or <c>yes</c> (any case).
    /// </summary>
    /// <param name="question">The question, without the <c>[y/N]</c>.</param>
    /// <param name="refusal">What to say when nobody can answer (standard input is not a terminal): which option to pass.</param>
    /// <exception cref="CommandException">Standard input is not a terminal.</exception>
    public static bool Ask(string question, string refusal)
    {
        if (Console.IsInputRedirected)
        {
            throw new CommandException(refusal);
        }

        Console.Error.Write($"{question} [y/N] ");
        Console.Error.Flush();
        string? answer = Console.ReadLine()?.Trim();
        return answer is not null && (answer.Equals("y", StringComparison.OrdinalIgnoreCase) || answer.Equals("yes", StringComparison.OrdinalIgnoreCase));
    }
}
