using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace Osipy.MappedCache.Benchmarks;

/// <summary>
/// What a put and a get cost for a float32 array of 1 MiB and of 128 MiB, each against a floor:
/// a put against writing the same bytes to a file with <see cref="RandomAccess.Write(Microsoft.Win32.SafeHandles.SafeFileHandle, ReadOnlySpan{byte}, long)"/>,
/// a get against <see cref="File.Exists"/> on the segment it maps.
/// </summary>
/// <remarks>
/// A get maps the file and reads no data, so its time should not grow with the size, while a put
/// writes every byte and should stay close to the plain write. Every benchmark runs in its own
/// process (BenchmarkDotNet's default), so one benchmark's entries never warm another's.
/// </remarks>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class PutGetBenchmarks
{
    private const string CachedType = "concentration";
    private const string PersistentType = "t1_map";
    private const string CompressedType = "t1_archive";
    private const string PutKey = "put";
    private const string HeldKey = "held";
    private const string PersistentKey = "persistent";

    private DirectoryInfo _directory = null!;
    private CacheConfig _config = null!;
    private IntermediateCache _cache = null!;
    private float[] _data = [];
    private int[] _shape = [];
    private string _baselineFile = string.Empty;
    private string _persistentSegment = string.Empty;
    private string _compressedRawCopy = string.Empty;

    /// <summary>Size of the array, in MiB (float32 elements: 262,144 per MiB).</summary>
    [Params(1, 128, 1600)] // 1600 MiB = 256x256x64x100 float32, the high-resolution DCE series
    public int SizeMb { get; set; }

    /// <summary>
    /// Creates a private temporary cache directory, a session on it, and the entries the gets read:
    /// a CACHED one that the session already holds, and a PERSISTENT one that it has never mapped.
    /// </summary>
    [GlobalSetup]
    public void GlobalSetup()
    {
        _directory = Directory.CreateTempSubdirectory("osipy-cache-bench-");
        _config = new CacheConfig
        {
            CacheDir = _directory.FullName,
            MaxMemoryMb = 16384,
            MaxAgeSeconds = 0,
            Policies = new Dictionary<string, RetentionPolicy>
            {
                [CachedType] = RetentionPolicy.Cached,
                [PersistentType] = RetentionPolicy.Persistent,
                [CompressedType] = RetentionPolicy.Persistent,
            },
            CompressionByType = new Dictionary<string, bool> { [CompressedType] = true },
        };
        _cache = new IntermediateCache(_config);

        _data = new float[SizeMb * (1024 * 1024 / sizeof(float))];
        for (int i = 0; i < _data.Length; i++)
        {
            _data[i] = i % 1000 * 0.5f;
        }

        _shape = [_data.Length];
        _baselineFile = Path.Combine(_directory.FullName, "baseline.bin");

        _cache.Put<float>(CachedType, HeldKey, _data, _shape);
        _cache.Get<float>(CachedType, HeldKey)!.Dispose();
        _cache.Put<float>(PersistentType, PersistentKey, _data, _shape);
        _cache.Put<float>(CompressedType, PersistentKey, _data, _shape);
        _persistentSegment = Directory.EnumerateFiles(_directory.FullName, "*.npy", SearchOption.AllDirectories)
            .Single(path => Path.GetFileName(Path.GetDirectoryName(path))!.StartsWith(PersistentType, StringComparison.Ordinal));
        _compressedRawCopy = Files.RawCopyFile.PathFor(_directory.FullName, new Files.SegmentStore(_directory.FullName).Locate(CompressedType, PersistentKey));
    }

    /// <summary>Ends the session and removes the directory with everything in it.</summary>
    [GlobalCleanup]
    public void GlobalCleanup()
    {
        _cache.Dispose();
        _directory.Delete(recursive: true);
    }

    /// <summary>The floor for a put: the same bytes written to a new file in the same directory.</summary>
    /// <remarks>
    /// The previous iteration's file is deleted rather than truncated: ext4 (auto_da_alloc) starts
    /// writeback when a file is truncated and rewritten, which made the truncating variant about
    /// three times slower than a fresh file and so no floor at all.
    /// </remarks>
    [Benchmark(Baseline = true, Description = "RandomAccess.Write (floor)")]
    [BenchmarkCategory("Put")]
    public long WriteFile()
    {
        ReadOnlySpan<byte> bytes = MemoryMarshal.AsBytes(_data.AsSpan());
        File.Delete(_baselineFile);
        using var file = File.OpenHandle(_baselineFile, FileMode.CreateNew, FileAccess.Write);
        RandomAccess.Write(file, bytes, fileOffset: 0);
        return bytes.Length;
    }

    /// <summary>A CACHED put, replacing the previous iteration's entry under the same key.</summary>
    [Benchmark(Description = "Put (CACHED)")]
    [BenchmarkCategory("Put")]
    public long Put()
    {
        _cache.Put<float>(CachedType, PutKey, _data, _shape);
        return _data.Length;
    }

    /// <summary>The floor for a zero-copy put: the producer filling a managed array of the same size.</summary>
    [Benchmark(Baseline = true, Description = "fill a new managed array (floor)")]
    [BenchmarkCategory("Create")]
    public long FillManagedArray()
    {
        var array = new float[_data.Length];
        _data.CopyTo(array);
        return array.Length;
    }

    /// <summary>
    /// A zero-copy put: the same values written straight into the new segment's mapping, then
    /// committed (checksum pass, record, rename). The copy stands in for the producer's own pass.
    /// </summary>
    [Benchmark(Description = "Create + fill + Commit (CACHED)")]
    [BenchmarkCategory("Create")]
    public long CreateFillCommit()
    {
        using MappedArrayWriter<float> writer = _cache.Create<float>(CachedType, PutKey, _shape);
        _data.CopyTo(writer.Span);
        using MappedArray<float> committed = writer.Commit();
        return committed.Length;
    }

    /// <summary>A PERSISTENT put compressed at rest (shuffle + LZ4 chunks on all cores), plus the session's raw copy.</summary>
    [Benchmark(Description = "Put (PERSISTENT, compressed)")]
    [BenchmarkCategory("Put")]
    public long PutCompressed()
    {
        _cache.Put<float>(CompressedType, PutKey, _data, _shape);
        return _data.Length;
    }

    /// <summary>The floor for a get: one stat of the segment file.</summary>
    [Benchmark(Baseline = true, Description = "File.Exists (floor)")]
    [BenchmarkCategory("Get")]
    public bool FileExists() => File.Exists(_persistentSegment);

    /// <summary>Has on an entry the session does not hold: opens and validates the segment, maps nothing.</summary>
    [Benchmark(Description = "Has (PERSISTENT, not held)")]
    [BenchmarkCategory("Get")]
    public bool Has() => _cache.Has(PersistentType, PersistentKey);

    /// <summary>A hit on an entry this session holds and has mapped: a new lease, disposed.</summary>
    [Benchmark(Description = "Get (hit, same session)")]
    [BenchmarkCategory("Get")]
    public long Get()
    {
        using MappedArray<float> array = _cache.Get<float>(CachedType, HeldKey)!;
        return array.Length;
    }

    /// <summary>
    /// A new session's first get of a compressed entry on a node without its raw copy: it
    /// decompresses the whole array once, so this grows with the size. The node's copy from the
    /// previous invocation is removed first (an unlink, counted in the time).
    /// </summary>
    [Benchmark(Description = "First get (new session, compressed, no raw copy on the node)")]
    [BenchmarkCategory("Get")]
    public long FirstGetCompressed()
    {
        File.Delete(_compressedRawCopy);
        using var session = new IntermediateCache(_config);
        using MappedArray<float> array = session.Get<float>(CompressedType, PersistentKey)!;
        return array.Length;
    }

    /// <summary>A new session's first get of a compressed entry whose raw copy the node has (the put published it): it maps that copy, like a raw entry.</summary>
    [Benchmark(Description = "First get (new session, compressed, raw copy on the node)")]
    [BenchmarkCategory("Get")]
    public long FirstGetCompressedCopied()
    {
        using var session = new IntermediateCache(_config);
        using MappedArray<float> array = session.Get<float>(CompressedType, PersistentKey)!;
        return array.Length;
    }

    /// <summary>What a new process pays: a session on the directory, a get that opens, validates and maps the file, then disposal of both.</summary>
    [Benchmark(Description = "First get (new session, PERSISTENT)")]
    [BenchmarkCategory("Get")]
    public long FirstGet()
    {
        using var session = new IntermediateCache(_config);
        using MappedArray<float> array = session.Get<float>(PersistentType, PersistentKey)!;
        return array.Length;
    }
}
