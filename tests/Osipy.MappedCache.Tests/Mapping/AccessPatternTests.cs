using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Mapping;

/// <summary>Paging hints change how pages come and go, never what a view shows (except Done on private writes).</summary>
public sealed class AccessPatternTests : IDisposable
{
    private readonly TempCacheDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(AccessPattern.Normal)]
    [InlineData(AccessPattern.Sequential)]
    [InlineData(AccessPattern.Random)]
    [InlineData(AccessPattern.WillNeed)]
    [InlineData(AccessPattern.Done)]
    public void Advise_LeavesTheDataAsStored(AccessPattern pattern)
    {
        using var cache = new IntermediateCache(_dir.Config());
        float[] data = TestData.Ramp(100_000);
        cache.Put<float>("t", "k", data, [100, 1000]);
        using MappedArray<float> view = cache.Get<float>("t", "k")!;

        view.Advise(pattern);

        Assert.Equal(data, view.ReadOnlySpan.ToArray());
    }

    [Fact]
    public void Done_DiscardsWritesMadeThroughViews_AndTheFileStillHoldsTheOriginal()
    {
        using var cache = new IntermediateCache(_dir.Config());
        cache.Put<float>("t", "k", TestData.Ramp(100_000), [100_000]);
        using MappedArray<float> view = cache.Get<float>("t", "k")!;
        view.Span.Fill(-1f);

        view.Advise(AccessPattern.Done);

        Assert.Equal(TestData.Ramp(100_000), view.ReadOnlySpan.ToArray());
    }

    [Fact]
    public void Advise_AfterDispose_OrWithUnknownPattern_Throws()
    {
        using var cache = new IntermediateCache(_dir.Config());
        cache.Put<float>("t", "k", [1f], [1]);
        MappedArray<float> view = cache.Get<float>("t", "k")!;
        view.Dispose();

        Assert.Throws<ObjectDisposedException>(() => view.Advise(AccessPattern.WillNeed));
        using MappedArray<float> again = cache.Get<float>("t", "k")!;
        Assert.Throws<ArgumentOutOfRangeException>(() => again.Advise((AccessPattern)42));
    }
}
