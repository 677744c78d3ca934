using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Caching;

public sealed class LifetimeTests : IDisposable
{
    private readonly TempCacheDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Put_OverKeyUnderLease_LeaseKeepsOldData_NextGetSeesNew()
    {
        using var cache = new IntermediateCache(_dir.Config());
        cache.Put<float>("t", "k", [1f, 1f], [2]);
        using MappedArray<float> old = cache.Get<float>("t", "k")!;

        cache.Put<float>("t", "k", [2f, 2f, 2f], [3]);

        using MappedArray<float> current = cache.Get<float>("t", "k")!;
        Assert.Equal([1f, 1f], old.ReadOnlySpan.ToArray());
        Assert.Equal([2f, 2f, 2f], current.ReadOnlySpan.ToArray());
        Assert.Single(_dir.SegmentFiles());
    }

    [Fact]
    public void Invalidate_And_Clear_UnderLease_DoNotUnmap()
    {
        using var cache = new IntermediateCache(_dir.Config());
        cache.Put<float>("t", "a", TestData.Ramp(1000), [1000]);
        cache.Put<float>("t", "b", TestData.Ramp(1000, 5), [1000]);
        using MappedArray<float> a = cache.Get<float>("t", "a")!;
        using MappedArray<float> b = cache.Get<float>("t", "b")!;

        cache.Invalidate("t", "a");
        cache.Clear();

        Assert.Equal(TestData.Ramp(1000), a.ReadOnlySpan.ToArray());
        Assert.Equal(TestData.Ramp(1000, 5), b.ReadOnlySpan.ToArray());
        Assert.Empty(_dir.SegmentFiles());
    }

    [Fact]
    public void CacheDispose_UnderLease_LeaseStaysReadable()
    {
        var cache = new IntermediateCache(_dir.Config());
        cache.Put<float>("t", "k", TestData.Ramp(4096), [64, 64]);
        MappedArray<float> lease = cache.Get<float>("t", "k")!;

        cache.Dispose();

        Assert.Empty(_dir.SegmentFiles());
        Assert.Equal(TestData.Ramp(4096)[4095], lease.AsSpan2D()[63, 63]);
        lease.Dispose();
    }

    [Fact]
    public void Lease_AfterDispose_Throws()
    {
        using var cache = new IntermediateCache(_dir.Config());
        cache.Put<float>("t", "k", [1f], [1]);
        MappedArray<float> lease = cache.Get<float>("t", "k")!;
        Memory<float> memory = lease.Memory;

        lease.Dispose();
        lease.Dispose();

        Assert.True(lease.IsDisposed);
        Assert.Throws<ObjectDisposedException>(() => lease.Span.Length);
        Assert.Throws<ObjectDisposedException>(() => memory.Span.Length);
    }

    [Fact]
    public void PinnedMemory_OutlivesTheLease()
    {
        using var cache = new IntermediateCache(_dir.Config());
        cache.Put<float>("t", "k", [3f], [1]);
        var lease = cache.Get<float>("t", "k")!;
        cache.Invalidate("t", "k");

        using System.Buffers.MemoryHandle pin = lease.Memory.Pin();
        lease.Dispose();

        unsafe
        {
            Assert.Equal(3f, *(float*)pin.Pointer);
        }
    }

    [Fact]
    public void WritesThroughAView_NeverReachTheFile()
    {
        using (var writer = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent)))
        {
            writer.Put<float>("t", "k", [1f, 2f], [2]);
            using MappedArray<float> view = writer.Get<float>("t", "k")!;
            view.Span[0] = 99f;
        }

        using var reader = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent));
        using MappedArray<float> fresh = reader.Get<float>("t", "k")!;
        Assert.Equal([1f, 2f], fresh.ReadOnlySpan.ToArray());
    }

    [Fact]
    public void Members_AfterCacheDispose_ThrowObjectDisposed()
    {
        var cache = new IntermediateCache(_dir.Config());
        cache.Dispose();
        cache.Dispose();

        Assert.Throws<ObjectDisposedException>(() => cache.Put<float>("t", "k", [1f], [1]));
        Assert.Throws<ObjectDisposedException>(() => cache.Get<float>("t", "k"));
        Assert.Throws<ObjectDisposedException>(() => cache.Has("t", "k"));
        Assert.Throws<ObjectDisposedException>(() => cache.GetStats());
    }
}
