using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Caching;

/// <summary>
/// <see cref="IntermediateCache.TryCopyTo{T}"/>: a hit copies the asked range out and makes no
/// object; a miss, a wrong range, type or kind is told apart and changes nothing.
/// </summary>
public sealed class TryCopyToTests : IDisposable
{
    private readonly TempCacheDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void AHit_CopiesTheRangeFromTheFlatIndex_AndCountsAsAHit()
    {
        using var cache = new IntermediateCache(_dir.Config());
        float[] series = TestData.Ramp(64 * 60);
        cache.Put<float>("concentration", "sub-01", series, [64, 60]);
        var curve = new float[60];

        bool found = cache.TryCopyTo<float>("concentration", "sub-01", 7 * 60, curve);

        Assert.True(found);
        Assert.Equal(series.AsSpan(7 * 60, 60).ToArray(), curve);
        Assert.Equal(1, cache.GetStats().Hits);
    }

    [Fact]
    public void AMiss_ReturnsFalse_AndLeavesTheDestination()
    {
        using var cache = new IntermediateCache(_dir.Config());
        float[] destination = [42f, 42f];

        Assert.False(cache.TryCopyTo<float>("t1_map", "absent", 0, destination));

        Assert.Equal([42f, 42f], destination);
        Assert.Equal(1, cache.GetStats().Misses);
    }

    [Theory]
    [InlineData(-1, 1)]
    [InlineData(0, 11)]
    [InlineData(10, 1)]
    [InlineData(5, 6)]
    public void ARangeOutsideTheArray_Throws_AndCopiesNothing(long start, int length)
    {
        using var cache = new IntermediateCache(_dir.Config());
        cache.Put<float>("t1_map", "k", TestData.Ramp(10), [10]);
        float[] destination = Enumerable.Repeat(-1f, length).ToArray();

        Assert.Throws<ArgumentOutOfRangeException>(() => cache.TryCopyTo<float>("t1_map", "k", start, destination));

        Assert.All(destination, value => Assert.Equal(-1f, value));
        using MappedArray<float> still = cache.Get<float>("t1_map", "k")!;
        Assert.Equal(1, still.Mapping.LeaseCount); // the copy's lease was given back
    }

    [Fact]
    public void AnotherElementType_OrABundle_IsAClearError()
    {
        using var cache = new IntermediateCache(_dir.Config());
        cache.Put<float>("t1_map", "k", TestData.Ramp(10), [10]);
        cache.Put("tofts", "k", new Dictionary<string, Array> { ["ktrans"] = new float[4] });

        InvalidCastException wrongType = Assert.Throws<InvalidCastException>(() => cache.TryCopyTo<double>("t1_map", "k", 0, new double[1]));
        InvalidOperationException bundle = Assert.Throws<InvalidOperationException>(() => cache.TryCopyTo<float>("tofts", "k", 0, new float[1]));

        Assert.Contains("float32", wrongType.Message, StringComparison.Ordinal);
        Assert.Contains("GetBundle", bundle.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AHit_MakesNoObject()
    {
        using var cache = new IntermediateCache(_dir.Config());
        cache.Put<float>("t1_map", "k", TestData.Ramp(1000), [10, 100]);
        Span<float> row = stackalloc float[100];
        for (int i = 0; i < 10; i++)
        {
            cache.TryCopyTo("t1_map", "k", 0, row); // the first maps it; the rest warm the hit path
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            cache.TryCopyTo("t1_map", "k", 100L * (i % 10), row);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(TestData.Ramp(1000)[900], row[0]); // the last copy was row 9
    }
}
