namespace Osipy.MappedCache.Caching;

/// <summary>The session's statistics counters, updated with Interlocked from any thread and read for snapshots.</summary>
internal sealed class CacheCounters
{
    public long Hits;
    public long Misses;
    public long Evictions;
    public long Expirations;
    public long CorruptSegments;
    public long RemoteHits;
    public long RemoteMisses;
    public long RemoteErrors;
    public long RemoteConflicts;
}
