using Osipy.MappedCache.Files;

namespace Osipy.MappedCache.Caching;

/// <summary>
/// The stores a session writes to: the cache directory's, and the CACHED directory's when
/// <see cref="CacheConfig.CachedDir"/> puts CACHED segments elsewhere. Which policy goes where is
/// decided here.
/// </summary>
internal sealed class StoreSet
{
    public StoreSet(string cacheDir, string cachedDir, int maxQuarantineFiles)
    {
        Persistent = new SegmentStore(cacheDir, maxQuarantineFiles);
        Cached = cachedDir == cacheDir ? Persistent : new SegmentStore(cachedDir, maxQuarantineFiles) { Tag = 'C' };
        All = Cached == Persistent ? [Persistent] : [Persistent, Cached];
    }

    /// <summary>The cache directory's store: PERSISTENT segments, and CACHED ones unless they live elsewhere.</summary>
    public SegmentStore Persistent { get; }

    /// <summary>Where CACHED segments and raw copies of compressed entries go.</summary>
    public SegmentStore Cached { get; }

    public IReadOnlyList<SegmentStore> All { get; }

    public SegmentStore For(RetentionPolicy policy) => policy == RetentionPolicy.Cached ? Cached : Persistent;

    /// <summary>The quarantine of the store a path lies in.</summary>
    public Quarantine QuarantineFor(string path) =>
        (path.StartsWith(Cached.Root + "/", StringComparison.Ordinal) ? Cached : Persistent).Quarantine;

    /// <summary>Every segment file of <paramref name="resultType"/> (all when null), in every store.</summary>
    public IEnumerable<FileInfo> Segments(string? resultType)
    {
        foreach (SegmentStore store in All)
        {
            foreach (FileInfo file in store.EnumerateSegments(resultType))
            {
                yield return file;
            }
        }
    }
}
