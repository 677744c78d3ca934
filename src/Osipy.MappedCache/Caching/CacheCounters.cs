namespace Osipy.MappedCache.Caching;

/// <summary>The session's statistics counters, updated with Interlocked from any thread and read for snapshots.</summary>
internal sealed class CacheCounters
{
    /// <summary>Bumped on every hit, from any number of threads at once: striped.</summary>
    public readonly StripedCounter Hits = new();

    public long Misses;
    public long Evictions;
    public long DiskEvictions;
    public long Expirations;
    public long CorruptSegments;
    public long RemoteHits;
    public long RemoteMisses;
    public long RemoteErrors;
    public long RemoteConflicts;
}
