using Osipy.MappedCache.Mapping;
using Osipy.MappedCache.Segments;

namespace Osipy.MappedCache.Caching;

/// <summary>Identifies an entry: result type and key, compared ordinally.</summary>
internal readonly record struct EntryKey(string ResultType, string Key);

/// <summary>
/// An entry this session holds: a CACHED segment it wrote, or any segment it has mapped.
/// Entries on disk that the session does not hold are not in the table at all.
/// </summary>
internal sealed class EntryState(EntryKey key, string path, SegmentRecord record, CacheEntry entry, bool ownedCached, IReadOnlyList<ArrayRecord>? mappedArrays = null)
{
    /// <summary>
    /// Where the arrays lie in the mapping. The record's own layout, except for a compressed
    /// segment, whose mapping is of a raw copy (payload at the first page boundary).
    /// </summary>
    public IReadOnlyList<ArrayRecord> MappedArrays { get; } = mappedArrays ?? record.Arrays;

    public EntryKey Key { get; } = key;

    public string Path { get; } = path;

    public SegmentRecord Record { get; } = record;

    public CacheEntry Entry { get; } = entry;

    /// <summary>Written by this session under CACHED: its file is unlinked when the entry leaves the table.</summary>
    public bool OwnedCached { get; } = ownedCached;

    /// <summary>The cache's reference on the mapping; null until first mapped. Set through <see cref="EntryTable"/>.</summary>
    public SegmentMapping? Mapping { get; set; }

    public long SizeBytes => Entry.SizeBytes;

    public bool IsLeased => Mapping is { LeaseCount: > 0 };

    public LinkedListNode<EntryState>? LruNode { get; set; }
}
