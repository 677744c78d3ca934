using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Caching;

public sealed class GlobalCacheTests : IDisposable
{
    private readonly TempCacheDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void ConfigureCache_ReplacesTheProcessWideInstance_AndEndsThePreviousSession()
    {
        IntermediateCache.ConfigureCache(_dir.Config());
        IntermediateCache first = IntermediateCache.GetCache();
        Assert.Same(first, IntermediateCache.GetCache());
        first.Put<float>("t", "k", [1f], [1]);

        IntermediateCache.ConfigureCache(_dir.Config() with { MaxMemoryMb = 7 });
        IntermediateCache second = IntermediateCache.GetCache();

        Assert.NotSame(first, second);
        Assert.Equal(7, second.Config.MaxMemoryMb);
        Assert.Throws<ObjectDisposedException>(() => first.Has("t", "k"));
        Assert.Empty(_dir.SegmentFiles());
        second.Dispose();
        Assert.NotSame(second, IntermediateCache.GetCache());
    }
}
