using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Caching;

/// <summary>CACHED segments in their own directory (for example a tmpfs), PERSISTENT ones in the cache directory.</summary>
public sealed class CachedDirTests : IDisposable
{
    private readonly TempCacheDirectory _dir = new();
    private readonly string _cachedDir;

    public CachedDirTests() => _cachedDir = Path.Combine(_dir.Root, "shm");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void CachedSegments_GoToCachedDir_PersistentOnesToCacheDir_AndBothRead()
    {
        using var cache = new IntermediateCache(Config());

        cache.Put<float>("concentration", "k", [1f], [1]);
        cache.Put<float>("t1_map", "k", [2f], [1]);

        Assert.Equal(Path.GetFullPath(_cachedDir), cache.CachedDir);
        Assert.Single(Directory.GetFiles(_cachedDir, "*.npy", SearchOption.AllDirectories));
        Assert.Single(_dir.SegmentFiles(), f => f.StartsWith(_dir.CachePath + "/", StringComparison.Ordinal));
        using MappedArray<float> cached = cache.Get<float>("concentration", "k")!;
        using MappedArray<float> persistent = cache.Get<float>("t1_map", "k")!;
        Assert.Equal(1f, cached.Span[0]);
        Assert.Equal(2f, persistent.Span[0]);
        Assert.Equal(2, cache.GetStats().DiskEntries);
    }

    [Fact]
    public void DisposeInvalidateAndClear_ReachTheCachedDir()
    {
        var cache = new IntermediateCache(Config());
        cache.Put<float>("concentration", "a", [1f], [1]);
        cache.Put<float>("concentration", "b", [1f], [1]);
        cache.Invalidate("concentration", "a");
        Assert.Single(Directory.GetFiles(_cachedDir, "*.npy", SearchOption.AllDirectories));
        cache.Clear();
        Assert.Empty(Directory.GetFiles(_cachedDir, "*.npy", SearchOption.AllDirectories));

        cache.Put<float>("concentration", "c", [1f], [1]);
        cache.Dispose();

        Assert.Empty(Directory.GetFiles(_cachedDir, "*.npy", SearchOption.AllDirectories));
    }

    [Fact]
    public void KilledSession_ItsSegmentsInTheCachedDirAreReclaimed()
    {
        using (var child = ChildProcess.Start("hold-cached", _dir.CachePath, "4", "1000", _cachedDir))
        {
            child.WaitForLine("ready");
            child.KillHard();
        }

        Assert.Equal(4, Directory.GetFiles(_cachedDir, "*.npy", SearchOption.AllDirectories).Length);

        using var next = new IntermediateCache(Config());

        Assert.Equal(4, next.LastReclaim.Segments);
        Assert.Empty(Directory.GetFiles(_cachedDir, "*.npy", SearchOption.AllDirectories));
    }

    private CacheConfig Config() => _dir.Config() with
    {
        CachedDir = _cachedDir,
        Policies = new Dictionary<string, RetentionPolicy> { ["t1_map"] = RetentionPolicy.Persistent },
    };
}
