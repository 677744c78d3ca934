using Osipy.MappedCache.Mapping;

namespace Osipy.MappedCache.Caching;

/// <summary>
/// Entries evicted while a lease still held them. Eviction never waits for leases (a lease keeps
/// its mapping valid after its entry leaves), but the mapped bytes are still this session's, so
/// they count against its budget until the last lease on them ends. Used under the cache's lock.
/// </summary>
internal sealed class EvictedButLeased
{
    private readonly List<(SegmentMapping Mapping, long Bytes)> _entries = [];

    /// <summary>Remembers an evicted entry whose mapping a lease still holds.</summary>
    public void Add(SegmentMapping mapping, long bytes) => _entries.Add((mapping, bytes));

    /// <summary>The bytes still held by leases; forgets the entries whose leases have all ended.</summary>
    public long Bytes()
    {
        _entries.RemoveAll(entry => entry.Mapping.LeaseCount == 0);
        long bytes = 0;
        foreach ((_, long size) in _entries)
        {
            bytes += size;
        }

        return bytes;
    }
}
