using System.Numerics;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;

namespace Osipy.MappedCache.Benchmarks;

/// <summary>
/// Reading a cached DCE series through the library's views against reading a managed array of the
/// same values: the whole-array span, the 2D view row by row (voxel by voxel), and a float[].
/// </summary>
/// <remarks>The segment's pages are resident (just written), as in a pipeline that reads what it cached.</remarks>
[MemoryDiagnoser]
public class ViewBenchmarks
{
    private const int Rows = 128 * 128 * 32; // voxels of the demo's 128x128x32x60 series
    private const int Columns = 60;          // time points

    private DirectoryInfo _directory = null!;
    private IntermediateCache _cache = null!;
    private MappedArray<float> _view = null!;
    private float[] _managed = [];

    [GlobalSetup]
    public void GlobalSetup()
    {
        _directory = Directory.CreateTempSubdirectory("osipy-cache-bench-views-");
        _cache = new IntermediateCache(new CacheConfig { CacheDir = _directory.FullName, MaxMemoryMb = 4096 });
        _managed = new float[Rows * Columns];
        for (int i = 0; i < _managed.Length; i++)
        {
            _managed[i] = (i % 977) * 0.25f;
        }

        _cache.Put<float>("concentration", "k", _managed, [128, 128, 32, Columns]);
        _view = _cache.Get<float>("concentration", "k")!;
    }

    [GlobalCleanup]
    public void GlobalCleanup()
    {
        _view.Dispose();
        _cache.Dispose();
        _directory.Delete(recursive: true);
    }

    [Benchmark(Baseline = true, Description = "sum a managed float[]")]
    public float SumManaged() => Sum(_managed);

    [Benchmark(Description = "sum MappedArray.Span")]
    public float SumSpan() => Sum(_view.ReadOnlySpan);

    [Benchmark(Description = "sum a managed float[] row by row (Span2D)")]
    public float SumManagedRows() => SumRows(new CommunityToolkit.HighPerformance.ReadOnlySpan2D<float>(_managed, Rows, Columns));

    [Benchmark(Description = "sum MappedArray.AsSpan2D() row by row")]
    public float SumMappedRows() => SumRows(_view.AsReadOnlySpan2D());

    private static float SumRows(CommunityToolkit.HighPerformance.ReadOnlySpan2D<float> rows)
    {
        float total = 0;
        for (int row = 0; row < rows.Height; row++)
        {
            total += Sum(rows.GetRowSpan(row));
        }

        return total;
    }

    /// <summary>
    /// The same vectorised sum for every source, so only the memory it reads differs. A row of the
    /// demo's series is 60 floats: seven <see cref="Vector{T}"/> steps and a 4-float remainder,
    /// which is summed as one <see cref="Vector128{T}"/> rather than as four dependent scalar adds.
    /// </summary>
    private static float Sum(ReadOnlySpan<float> values)
    {
        var lanes = Vector<float>.Zero;
        int i = 0;
        for (; i <= values.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            lanes += new Vector<float>(values[i..]);
        }

        float total = Vector.Sum(lanes);
        if (i <= values.Length - Vector128<float>.Count)
        {
            total += Vector128.Sum(Vector128.Create(values.Slice(i, Vector128<float>.Count)));
            i += Vector128<float>.Count;
        }

        for (; i < values.Length; i++)
        {
            total += values[i];
        }

        return total;
    }
}
