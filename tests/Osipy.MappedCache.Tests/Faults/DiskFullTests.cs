using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Faults;

/// <summary>Running out of space is an IOException at put or create, never a fault, and leaves nothing behind.</summary>
public sealed class DiskFullTests : IDisposable
{
    private readonly SmallTmpfs? _tmpfs;
    private readonly string _whyNot;

    public DiskFullTests() => _tmpfs = SmallTmpfs.TryMount(8, out _whyNot);

    public void Dispose() => _tmpfs?.Dispose();

    [Fact]
    public void Put_LargerThanFreeSpace_ThrowsIOExceptionNamingTheDirectory_AndCacheKeepsWorking()
    {
        using IntermediateCache cache = Open();
        cache.Put<float>("t", "small", TestData.Ramp(1000), [1000]);

        var error = Assert.Throws<IOException>(() => cache.Put<float>("t", "huge", new float[4 * 1024 * 1024], [4 * 1024 * 1024]));

        Assert.Contains(cache.CacheDir, error.Message, StringComparison.Ordinal);
        AssertNoPartialFiles(cache);
        Assert.False(cache.Has("t", "huge"));
        cache.Put<float>("t", "after", TestData.Ramp(1000), [1000]);
        using MappedArray<float> small = cache.Get<float>("t", "small")!;
        Assert.Equal(TestData.Ramp(1000), small.ReadOnlySpan.ToArray());
    }

    [Fact]
    public void Create_LargerThanFreeSpace_ThrowsBeforeAnyByteIsWrittenThroughTheMapping()
    {
        using IntermediateCache cache = Open();

        var error = Assert.Throws<IOException>(() => cache.Create<float>("t", "huge", [4 * 1024 * 1024]));

        Assert.Contains(cache.CacheDir, error.Message, StringComparison.Ordinal);
        AssertNoPartialFiles(cache);
        using MappedArrayWriter<float> writer = cache.Create<float>("t", "fits", [1024]);
        writer.Span.Fill(1f);
        writer.Commit().Dispose();
    }

    [Fact]
    public void ReadOnlyCacheDirectory_PutThrowsIOException_ExistingEntriesStillRead()
    {
        using IntermediateCache cache = Open(RetentionPolicy.Persistent);
        cache.Put<float>("t", "kept", [1f, 2f], [2]);
        _tmpfs!.MakeReadOnly(cache.CacheDir);

        var error = Assert.Throws<IOException>(() => cache.Put<float>("t", "new", [3f], [1]));

        Assert.Contains("Read-only file system", error.Message, StringComparison.Ordinal);
        using MappedArray<float> kept = cache.Get<float>("t", "kept")!;
        Assert.Equal([1f, 2f], kept.ReadOnlySpan.ToArray());
    }

    private IntermediateCache Open(RetentionPolicy policy = RetentionPolicy.Cached)
    {
        if (_tmpfs is null)
        {
            Assert.Skip(_whyNot);
        }

        return new IntermediateCache(new CacheConfig { CacheDir = Path.Combine(_tmpfs.Path, "cache"), DefaultPolicy = policy });
    }

    private static void AssertNoPartialFiles(IntermediateCache cache)
    {
        Assert.Empty(Directory.GetFiles(cache.CacheDir, ".tmp-*", SearchOption.AllDirectories));
        Assert.DoesNotContain(Directory.GetFiles(cache.CacheDir, "*.npy", SearchOption.AllDirectories), f => new FileInfo(f).Length > 1024 * 1024);
    }
}
