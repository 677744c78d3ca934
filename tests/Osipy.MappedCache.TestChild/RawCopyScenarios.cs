using Microsoft.Extensions.Logging;

namespace Osipy.MappedCache.TestChild;

/// <summary>Gets of compressed entries from another process: who decompresses, and which file each process maps.</summary>
internal static class RawCopyScenarios
{
    /// <summary>
    /// Gets ("z", key), a compressed PERSISTENT float array, and reports it. Prints "opened"; with
    /// --wait-to-start reads a line first; prints "getting"; with --block-in-decompression, prints
    /// "decompressing &lt;temporary file&gt;" when a decompression has written the payload and waits
    /// for a line (to be killed there, or let go). Then prints "got decompressions=N inode=I
    /// path=P sum=S whole=B", N counted from the cache's log, I and P the file its lease maps, and
    /// waits for a line before it ends.
    /// </summary>
    public static int GetCompressed(string dir, string key, bool waitToStart, bool blockInDecompression)
    {
        var log = new DecompressionCounter();
        Action<string>? hook = blockInDecompression
            ? temp =>
            {
                Console.WriteLine($"decompressing {temp}");
                Console.In.ReadLine();
            }
            : null;
        var config = new CacheConfig { CacheDir = dir, DefaultPolicy = RetentionPolicy.Persistent, MaxAgeSeconds = 0 };
        using var cache = new IntermediateCache(config, TimeProvider.System, log, beforeMap: null, rawCopyDecompressed: hook);
        Console.WriteLine("opened");
        if (waitToStart)
        {
            Console.In.ReadLine();
        }

        Console.WriteLine("getting");
        using MappedArray<float>? array = cache.Get<float>("z", key);
        if (array is null)
        {
            Console.WriteLine("miss");
            return 1;
        }

        (ulong inode, string path) = ProcessMaps.FilesUnder(cache.CachedDir).Single();
        Console.WriteLine(FormattableString.Invariant(
            $"got decompressions={log.Decompressions} inode={inode} path={path} sum={Patterns.SumRows(array):R} whole={Patterns.IsWhole(array.ReadOnlySpan)}"));
        Console.In.ReadLine();
        return 0;
    }

    /// <summary>Counts the cache's "Decompressed" messages: one per decompression this process ran.</summary>
    private sealed class DecompressionCounter : ILogger
    {
        private int _decompressions;

        public int Decompressions => Volatile.Read(ref _decompressions);

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (formatter(state, exception).StartsWith("Decompressed '", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _decompressions);
            }
        }
    }
}
