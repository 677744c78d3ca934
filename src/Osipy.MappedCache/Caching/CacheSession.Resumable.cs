using Osipy.MappedCache.Files;
using Osipy.MappedCache.Format;

namespace Osipy.MappedCache.Caching;

/// <summary>Fills in blocks that resume after a kill, and the reclaim of those nobody resumed.</summary>
internal sealed partial class CacheSession
{
    /// <summary>
    /// The fill of one GetOrCreate in blocks. PERSISTENT and CACHED fills are recorded in their
    /// store's unfinished directory (a CACHED one too: it belongs to the store, not to a session, and
    /// goes only by age); a PERSISTENT one with a remote tier also shares its blocks through the
    /// tier, for a node that takes the key's lease over; a TRANSIENT one records nothing.
    /// </summary>
    public ResumableFill<T> Resumable<T>(EntryKey key, UnfinishedFillHeader header, BlockFill<T> fill, Func<MappedArrayWriter<T>, IDisposable?>? around = null)
        where T : unmanaged
    {
        RetentionPolicy policy = _settings.PolicyOf(key.ResultType);
        SegmentStore? store = policy == RetentionPolicy.Transient ? null : _stores.For(policy);
        RemoteFillBlocks? remote = policy == RetentionPolicy.Persistent && Remote is { } tier
            ? new RemoteFillBlocks(tier, _remote!.Health, key, header.FillId, _settings.Config.UnfinishedFillRetention, RemoteFailed)
            : null;
        return new ResumableFill<T>(store, key, header, fill, around, remote);
    }

    /// <summary>Removes unfinished fills not written for <see cref="CacheConfig.UnfinishedFillRetention"/> and not in use; files and bytes removed.</summary>
    private (int Count, long Bytes) ReclaimUnfinishedFills()
    {
        DateTimeOffset cutoff = _settings.Time.GetUtcNow() - _settings.Config.UnfinishedFillRetention;
        int count = 0;
        long bytes = 0;
        foreach (SegmentStore store in _stores.All)
        {
            (int files, long size) = UnfinishedFills.ReclaimOlderThan(store, cutoff);
            count += files;
            bytes += size;
        }

        return (count, bytes);
    }
}
