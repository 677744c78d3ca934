using System.CommandLine;

namespace Osipy.MappedCache.Cli.Commands;

/// <summary>The command tree of <c>osipy-cache</c> (System.CommandLine) and the exit codes around it.</summary>
internal static class OsipyCacheCommand
{
    public static RootCommand Build()
    {
        var root = new RootCommand("osipy-cache: look into, check, import into and export from an Osipy.MappedCache cache directory.")
        {
            CommonOptions.CacheDir,
            CommonOptions.Redis,
            LsCommand.Create(),
            StatsCommand.Create(),
            ShowCommand.Create(),
            ExplainCommand.Create(),
            PathCommand.Create(),
            VerifyCommand.Create(),
            GcCommand.Create(),
            RmCommand.Create(),
            ClearCommand.Create(),
            ImportCommand.Create(),
            ExportCommand.Create(),
            DemoCommand.Create(),
        };
        return root;
    }

    /// <summary>Parses and runs; a command line that does not parse is exit code 2 with the reason and where to find usage.</summary>
    public static int Run(string[] args)
    {
        ParseResult parsed = Build().Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (System.CommandLine.Parsing.ParseError error in parsed.Errors)
            {
                Console.Error.WriteLine($"osipy-cache: {error.Message}");
            }

            Console.Error.WriteLine("Run 'osipy-cache --help', or 'osipy-cache COMMAND --help', for usage.");
            return ExitCodes.Usage;
        }

        try
        {
            return parsed.Invoke();
        }
        finally
        {
            RemoteAccess.Close();
        }
    }
}
