using System.Diagnostics;

namespace Osipy.MappedCache.Cli.Commands;

/// <summary>
/// <c>osipy-cache gc</c>: removes what dead sessions left in a cache directory (their CACHED
/// segments, unfinished temporary files and session files) and reports it with the time it took.
/// Live sessions are never touched, so it is safe to run while pipelines are working.
/// </summary>
internal static class GcCommand
{
    public static int Run(IReadOnlyList<string> args)
    {
        string? cacheDir = null;
        for (int i = 0; i < args.Count; i++)
        {
            if (args[i] is "--help" or "-h")
            {
                Usage.Write(Console.Out);
                return ExitCodes.Ok;
            }

            if (args[i] != "--cache-dir" || i + 1 >= args.Count)
            {
                Console.Error.WriteLine($"osipy-cache gc: unknown option or missing value: '{args[i]}'.");
                Usage.Write(Console.Error);
                return ExitCodes.Usage;
            }

            cacheDir = args[++i];
        }

        try
        {
            // Opening a session reclaims; the stopwatch covers the directory checks, the session's
            // own registration and the reclaim itself.
            long start = Stopwatch.GetTimestamp();
            using var cache = new IntermediateCache(new CacheConfig { CacheDir = cacheDir });
            TimeSpan elapsed = Stopwatch.GetElapsedTime(start);
            ReclaimReport report = cache.LastReclaim;
            CacheStats stats = cache.GetStats();
            Console.WriteLine($"cache directory: {cache.CacheDir}");
            Console.WriteLine(
                $"reclaimed {report.Sessions} dead session(s): {report.Segments} CACHED segment(s), {report.TempFiles} temporary file(s), " +
                $"{report.Bytes / (1024.0 * 1024.0):F1} MiB, in {elapsed.TotalMilliseconds:F1} ms");
            Console.WriteLine($"the directory now holds {stats.DiskEntries} segment(s), {stats.DiskSizeBytes / (1024.0 * 1024.0):F1} MiB");
            return ExitCodes.Ok;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"osipy-cache gc: {ex.Message}");
            return ExitCodes.Failure;
        }
    }
}
