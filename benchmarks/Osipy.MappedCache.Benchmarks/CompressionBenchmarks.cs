using Osipy.MappedCache.Mapping;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using Microsoft.Win32.SafeHandles;
using Osipy.MappedCache.Compression;

namespace Osipy.MappedCache.Benchmarks;

/// <summary>
/// Throughput of compressing PERSISTENT segments at rest (issue 5): <see cref="ChunkCodec"/> (byte
/// shuffle, then LZ4, in parallel 1 MiB chunks) on the demo's synthetic DCE series, against a
/// plain copy of the same bytes, and against the same pipeline with zstd at a fast level.
/// </summary>
/// <remarks>
/// Compression writes the chunks to a file in the page cache, and decompression reads them back,
/// checks them and writes into a pinned destination: the work a put and a get of a compressed
/// segment would do. The set-up prints the compression ratios and checks both round trips.
/// </remarks>
[MemoryDiagnoser]
public class CompressionBenchmarks
{
    private const int ItemSize = sizeof(float);
    private const int ZstdLevel = 1;

    private DirectoryInfo _directory = null!;
    private DceArray _dce = null!;
    private byte[] _restored = [];
    private SafeFileHandle _lz4File = null!;
    private SafeFileHandle _zstdFile = null!;
    private string _lz4Path = string.Empty;
    private ChunkEntry[] _lz4Table = [];
    private ChunkEntry[] _zstdTable = [];

    /// <summary>Shape of the float32 series; the default is the demo's, 120 MiB.</summary>
    [Params("128x128x32x60")]
    public string Size { get; set; } = "128x128x32x60";

    /// <summary>Synthesises the series, compresses it once with each codec into files in a new temporary directory, and checks the round trips.</summary>
    [GlobalSetup]
    public void GlobalSetup()
    {
        _dce = new DceArray(DceArray.ParseSize(Size));
        _restored = GC.AllocateUninitializedArray<byte>(_dce.Bytes.Length, pinned: true);
        _directory = Directory.CreateTempSubdirectory("osipy-compression-bench-");
        _lz4Path = Path.Combine(_directory.FullName, "lz4.chunks");
        _lz4File = File.OpenHandle(_lz4Path, FileMode.CreateNew, FileAccess.ReadWrite);
        _zstdFile = File.OpenHandle(Path.Combine(_directory.FullName, "zstd.chunks"), FileMode.CreateNew, FileAccess.ReadWrite);

        _lz4Table = Lz4CompressOnce();
        _zstdTable = ZstdCompressOnce();
        Lz4Decompress();
        CheckRestored("lz4");
        ZstdDecompress();
        CheckRestored("zstd");

        Console.WriteLine(
            $"// {Size} float32, {_dce.Bytes.Length} bytes, sha256 {_dce.Sha256}: " +
            $"lz4 {Describe(_lz4Table)}, zstd-{ZstdLevel} {Describe(_zstdTable)}");
    }

    /// <summary>Closes the files and removes the directory with everything in it.</summary>
    [GlobalCleanup]
    public void GlobalCleanup()
    {
        _lz4File.Dispose();
        _zstdFile.Dispose();
        _directory.Delete(recursive: true);
    }

    /// <summary>The floor: one copy of the same bytes, on one core.</summary>
    [Benchmark(Baseline = true)]
    public void Memcpy() => _dce.Bytes.AsSpan().CopyTo(_restored);

    /// <summary>The filter alone, over the whole series on one core.</summary>
    [Benchmark]
    public void Shuffle() => ByteShuffle.Shuffle(_dce.Bytes, _restored, ItemSize);

    [Benchmark]
    public void Unshuffle() => ByteShuffle.Unshuffle(_dce.Bytes, _restored, ItemSize);

    [Benchmark]
    public int Lz4Compress() => Lz4CompressOnce().Length;

    [Benchmark]
    public void Lz4Decompress() =>
        ChunkCodec.DecompressTo(_lz4File, _lz4Table, ItemSize, _restored);

    [Benchmark]
    public int ZstdCompress() => ZstdCompressOnce().Length;

    [Benchmark]
    public void ZstdDecompress() => ZstdChunkCodec.DecompressTo(_zstdFile, _zstdTable, _restored, ItemSize);

    // Each compression overwrites its file from offset 0 with the same bytes, so the tables stay valid.
    private ChunkEntry[] Lz4CompressOnce()
    {
        ChunkEntry[] table = [];
        ByteSource.With<byte>(_dce.Bytes, source => table = ChunkCodec.CompressTo(_lz4File, 0, source, ItemSize));
        return table;
    }

    private ChunkEntry[] ZstdCompressOnce() => ZstdChunkCodec.CompressTo(_zstdFile, 0, _dce.Bytes, ItemSize, ZstdLevel);

    private string Describe(ChunkEntry[] table)
    {
        long compressed = table.Sum(entry => (long)entry.Length);
        return $"{compressed} bytes (ratio {(double)_dce.Bytes.Length / compressed:F3}, {table.Count(entry => entry.Stored)} of {table.Length} chunks stored)";
    }

    private void CheckRestored(string codec)
    {
        if (!_restored.AsSpan().SequenceEqual(_dce.Bytes))
        {
            throw new InvalidOperationException($"The {codec} round trip changed the data.");
        }

        Array.Clear(_restored);
    }
}
