using Osipy.MappedCache.Mapping;
using Osipy.MappedCache.Files;
using Osipy.MappedCache.Format;

namespace Osipy.MappedCache.Caching;

/// <summary>
/// An entry this session holds: a CACHED segment it wrote, or any segment it has mapped.
/// Entries on disk that the session does not hold are not in the table at all.
/// </summary>
/// <remarks>
/// Immutable but for <see cref="Mapping"/>, <see cref="SeenGeneration"/>, <see cref="ListedAt"/> and
/// <see cref="LruNode"/>, which only <see cref="EntryCache"/> changes, under its lock, and
/// <see cref="LastUsed"/>, which a hit stamps without it. The fields a lock-free hit reads
/// (<see cref="Mapping"/>, <see cref="SeenGeneration"/>) are read and written with Volatile.
/// </remarks>
internal sealed class EntryState(
    EntryKey key, KeyLocation location, string path, FileIdentity identity, SegmentRecord record, bool ownedCached, IReadOnlyList<ArrayRecord>? mappedArrays = null)
{
    public EntryKey Key { get; } = key;

    /// <summary>The key's place on disk: its bucket picks the lock stripe and generation counter.</summary>
    public KeyLocation Location { get; } = location;

    public string Path { get; } = path;

    /// <summary>Which file <see cref="Path"/> held when this entry was admitted.</summary>
    public FileIdentity Identity { get; } = identity;

    public SegmentRecord Record { get; } = record;

    public CacheEntry Entry { get; } = CacheEntries.FromRecord(record);

    /// <summary>
    /// Where the arrays lie in the mapping. The record's own layout, except for a compressed
    /// segment, whose mapping is of a raw copy (payload at the first page boundary).
    /// </summary>
    public IReadOnlyList<ArrayRecord> MappedArrays { get; } = mappedArrays ?? record.Arrays;

    /// <summary>Written by this session under CACHED: its file is unlinked (if still its own) when the entry leaves the table.</summary>
    public bool OwnedCached { get; } = ownedCached;

    /// <summary>For a PERSISTENT publication with a remote tier: its upload, journalled before the file was published (<see cref="PendingRemoteChanges"/>).</summary>
    public PendingRemoteChanges.Change? RemoteIntent { get; init; }

    private long _seenGeneration;
    private SegmentMapping? _mapping;
    private long _lastUsed;

    /// <summary>The key bucket's generation when this entry was last known to match the disk.</summary>
    public long SeenGeneration
    {
        get => Volatile.Read(ref _seenGeneration);
        set => Volatile.Write(ref _seenGeneration, value);
    }

    /// <summary>The cache's reference on the mapping; null until first mapped. Set through <see cref="EntryTable"/>.</summary>
    public SegmentMapping? Mapping
    {
        get => Volatile.Read(ref _mapping);
        set => Volatile.Write(ref _mapping, value);
    }

    /// <summary>
    /// When the entry was last put or got (a stamp of <see cref="EntryTable"/>'s use order).
    /// Hits write it without the lock; only eviction reads it (<see cref="EntryTable"/>).
    /// </summary>
    public long LastUsed
    {
        get => Volatile.Read(ref _lastUsed);
        set => Volatile.Write(ref _lastUsed, value);
    }

    /// <summary>The <see cref="LastUsed"/> value that placed the entry in the recency list, under the lock.</summary>
    public long ListedAt { get; set; }

    public long SizeBytes => Entry.SizeBytes;

    public bool IsLeased => Mapping is { LeaseCount: > 0 };

    public LinkedListNode<EntryState>? LruNode { get; set; }
}
