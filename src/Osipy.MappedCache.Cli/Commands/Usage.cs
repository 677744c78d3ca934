namespace Osipy.MappedCache.Cli.Commands;

/// <summary>The usage message, shown for <c>--help</c> and, on standard error, after a command-line error.</summary>
internal static class Usage
{
    public static void Write(TextWriter writer) => writer.Write(
        """
        Usage: osipy-cache <command> [options]

        Commands:
          demo    Synthesise a 4D DCE series, cache a PERSISTENT T1 map and CACHED
                  concentration curves, read them back zero-copy and print timings.
                  Options:
                    --size XxYxZxT     volume and time points (default 128x128x32x60)
                    --cache-dir DIR    cache directory (default <temp>/osipy_cache_<user>)
          gc      Remove what dead sessions left behind (their CACHED segments,
                  unfinished temporary files, session files); live sessions are
                  never touched. Opening any cache does this too.
                  Options:
                    --cache-dir DIR    cache directory (default <temp>/osipy_cache_<user>)
          help    Show this message (also --help, -h).

        Exit codes: 0 success, 1 failure, 2 usage error.

        """);
}
