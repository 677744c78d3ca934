using Osipy.MappedCache.Cli.Commands;

namespace Osipy.MappedCache.Cli;

/// <summary>Entry point of <c>osipy-cache</c>: the first argument names the command, the rest are its options.</summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        if (args.Length == 0)
        {
            Usage.Write(Console.Error);
            return ExitCodes.Usage;
        }

        string[] options = args[1..];
        switch (args[0])
        {
            case "demo":
                return DemoCommand.Run(options);
            case "gc":
                return GcCommand.Run(options);
            case "help" or "--help" or "-h":
                Usage.Write(Console.Out);
                return ExitCodes.Ok;
            default:
                Console.Error.WriteLine($"osipy-cache: unknown command '{args[0]}'.");
                Usage.Write(Console.Error);
                return ExitCodes.Usage;
        }
    }
}
