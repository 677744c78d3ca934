using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Files;

/// <summary>Arrays of more than int.MaxValue elements, read through slices of a sparse file.</summary>
public sealed class LargeArrayTests : IDisposable
{
    private const int Rows = 65536;
    private const int Columns = 32769; // Rows * Columns = 2,147,549,184 > int.MaxValue

    private readonly TempCacheDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Get_OfArrayBeyondIntMaxValue_WorksThroughSlices_AndWholeSpanThrows()
    {
        long last = ((long)Rows * Columns) - 1;
        var marks = new Dictionary<long, byte> { [0] = 1, [int.MaxValue] = 2, [last - 1] = 3, [last] = 4 };
        using var cache = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent, maxMemoryMb: 1));
        string path = SegmentPaths.Single(cache, "huge", "k");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        SegmentBuilder.WriteSparseUInt8(path, "huge", "k", [Rows, Columns], marks);

        using MappedArray<byte> view = cache.Get<byte>("huge", "k")!;

        Assert.Equal((long)Rows * Columns, view.Length);
        Assert.Throws<InvalidOperationException>(() => view.Span.Length);
        Assert.Throws<InvalidOperationException>(() => view.Memory.Length);
        Assert.Equal(1, view.GetSpan(0, 1)[0]);
        Assert.Equal(2, view.GetSpan(int.MaxValue, 1)[0]);
        Assert.Equal([3, 4], view.GetRowSpan(Rows - 1)[^2..].ToArray());
        Assert.Equal(4, view.GetMemory(last, 1).Span[0]);
        Assert.Equal(4, view.AsSpan2D(Rows - 2, 2)[1, Columns - 1]);
        Assert.Equal(4, view.AsSpan2D()[Rows - 1, Columns - 1]);
        Assert.Throws<ArgumentOutOfRangeException>(() => view.GetSpan(last, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => view.GetRowSpan(Rows));
    }
}
