using Microsoft.Extensions.Logging;

namespace Osipy.MappedCache.Caching;

/// <summary>The parts of a validated <see cref="CacheConfig"/> the cache's decisions need, resolved once.</summary>
internal sealed class CacheSettings
{
    private const long BytesPerMb = 1024 * 1024;

    // Unix milliseconds from the coarse monotonic clock (a vDSO read of a few nanoseconds): the
    // last-use stamps of hits need an order shared by processes, not a precise wall time.
    private static readonly long s_unixMillisecondsAtTickZero = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - Environment.TickCount64;

    public CacheSettings(CacheConfig config, TimeProvider time, ILogger logger)
    {
        Config = config;
        Time = time;
        Logger = logger;
        BudgetBytes = ToBytes(config.MaxMemoryMb);
        RawCopyBudgetBytes = ToBytes(config.RawCopyBudgetMb);
        DiskBudgetBytes = config.MaxDiskMb == 0 ? long.MaxValue : ToBytes(config.MaxDiskMb);
        _systemTime = ReferenceEquals(time, TimeProvider.System);
    }

    private readonly bool _systemTime;

    public CacheConfig Config { get; }

    public TimeProvider Time { get; }

    public ILogger Logger { get; }

    public long BudgetBytes { get; }

    /// <summary><see cref="CacheConfig.MaxDiskMb"/> in bytes; <see cref="long.MaxValue"/> for no limit.</summary>
    public long DiskBudgetBytes { get; }

    /// <summary><see cref="CacheConfig.RawCopyBudgetMb"/> in bytes.</summary>
    public long RawCopyBudgetBytes { get; }

    /// <summary>Now, for last-use stamps: Unix milliseconds, from <see cref="Time"/> where one is injected (tests).</summary>
    public long UnixMillisecondsNow() =>
        _systemTime ? s_unixMillisecondsAtTickZero + Environment.TickCount64 : Time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Test seam: runs in a miss's slow path, after the file is validated and before it is mapped (outside every lock but the key's single flight).</summary>
    public Action<string, string>? BeforeMap { get; init; }

    /// <summary>
    /// Test seam: runs with the temporary file's path when a raw copy's payload has been
    /// decompressed into it, before it is sealed and published (holding the key's raw-copy lock):
    /// where a kill leaves the most behind.
    /// </summary>
    public Action<string>? RawCopyDecompressed { get; init; }

    public int MaxMappedSegments => Config.MaxMappedSegments;

    public long MaxAgeSeconds => Config.MaxAgeSeconds;

    private static long ToBytes(long mb) => mb >= long.MaxValue / BytesPerMb ? long.MaxValue : mb * BytesPerMb;

    public RetentionPolicy PolicyOf(string resultType) =>
        Config.Policies.TryGetValue(resultType, out RetentionPolicy policy) ? policy : Config.DefaultPolicy;

    /// <summary>Whether a put of this type and policy is compressed at rest: PERSISTENT only, per type, else the global flag.</summary>
    public bool ShouldCompress(string resultType, RetentionPolicy policy) =>
        policy == RetentionPolicy.Persistent && (Config.CompressionByType.TryGetValue(resultType, out bool compress) ? compress : Config.Compression);
}
