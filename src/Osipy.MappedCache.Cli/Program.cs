using Osipy.MappedCache.Cli.Commands;

namespace Osipy.MappedCache.Cli;

/// <summary>Entry point of <c>osipy-cache</c>; the commands are in Commands/, one file each.</summary>
internal static class Program
{
    private static int Main(string[] args) => OsipyCacheCommand.Run(args);
}
