namespace Osipy.MappedCache;

/// <summary>A snapshot of a cache's counters (osipy's <c>get_stats()</c>, plus the hit rate it promised).</summary>
/// <remarks>Immutable. Counters cover this session only; disk figures cover the whole cache directory.</remarks>
public sealed record CacheStats
{
    /// <summary>Entries this session holds: its CACHED segments and the segments it has mapped.</summary>
    public required int MemoryEntries { get; init; }

    /// <summary>Bytes of array data in <see cref="MemoryEntries"/>, in MiB.</summary>
    public required double MemorySizeMb { get; init; }

    /// <summary>The configured budget, in MiB.</summary>
    public required long MaxMemoryMb { get; init; }

    /// <summary>The cache directory.</summary>
    public required string CacheDir { get; init; }

    /// <summary>Segment files in the cache directory, from every session.</summary>
    public required int DiskEntries { get; init; }

    /// <summary>Total size of those files.</summary>
    public required long DiskSizeBytes { get; init; }

    /// <summary>Gets that returned data.</summary>
    public required long Hits { get; init; }

    /// <summary>Gets that returned null (absent, transient, expired or corrupt).</summary>
    public required long Misses { get; init; }

    /// <summary>Hits / (Hits + Misses); 0 before the first get.</summary>
    public double HitRate => Hits + Misses == 0 ? 0 : (double)Hits / (Hits + Misses);

    /// <summary>Entries dropped to stay within <see cref="MaxMemoryMb"/>.</summary>
    public required long Evictions { get; init; }

    /// <summary>The directory's disk budget, <see cref="CacheConfig.MaxDiskMb"/> (0: no limit).</summary>
    public long MaxDiskMb { get; init; }

    /// <summary>Bytes the directory's files take on disk as the disk budget counts them (allocated blocks of segments, raw copies and writes in progress).</summary>
    public long DiskUsedBytes { get; init; }

    /// <summary>Entry files this session removed to stay within <see cref="MaxDiskMb"/> (any session's entries).</summary>
    public long DiskEvictions { get; init; }

    /// <summary>Entries found older than MaxAgeSeconds and removed.</summary>
    public required long Expirations { get; init; }

    /// <summary>Segment files that failed validation and were quarantined, by this session.</summary>
    public required long CorruptSegments { get; init; }

    /// <summary>Files in the quarantine now (every session's, bounded by <see cref="CacheConfig.MaxQuarantineFiles"/>).</summary>
    public int QuarantineFiles { get; init; }

    /// <summary>Bytes of the files in the quarantine now.</summary>
    public long QuarantineBytes { get; init; }

    /// <summary>Local misses that the remote tier filled (the entry was downloaded and published locally).</summary>
    public long RemoteHits { get; init; }

    /// <summary>Remote entries that were found but could not be used (a missing or damaged piece, or a file that failed validation): counted misses.</summary>
    public long RemoteMisses { get; init; }

    /// <summary>Calls to the remote tier that failed (unreachable, timed out); local work went on.</summary>
    public long RemoteErrors { get; init; }

    /// <summary>
    /// PERSISTENT puts whose upload lost to another upload of the key committed first (first writer
    /// wins); this node dropped its own copy, so its next get maps the winner's.
    /// </summary>
    public long RemoteConflicts { get; init; }
}
