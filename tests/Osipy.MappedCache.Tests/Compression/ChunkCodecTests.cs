using Osipy.MappedCache.Mapping;
using Microsoft.Win32.SafeHandles;
using Osipy.MappedCache.Compression;
using Osipy.MappedCache.Format;
using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Compression;

/// <summary>
/// Chunks written by <see cref="ChunkCodec.CompressTo"/> decompress to the same bytes, whatever the
/// element size and however the length falls on chunk boundaries; a damaged chunk is named.
/// </summary>
public sealed class ChunkCodecTests : IDisposable
{
    // The chunks start after a header, as they do in a segment file: offsets in the table are absolute.
    private const long HeaderBytes = 4096;

    private readonly TempCacheDirectory _dir = new();
    private readonly string _path;
    private readonly SafeFileHandle _file;

    public ChunkCodecTests()
    {
        _path = Path.Combine(_dir.Root, "chunks.bin");
        _file = File.OpenHandle(_path, FileMode.CreateNew, FileAccess.ReadWrite);
    }

    public void Dispose()
    {
        _file.Dispose();
        _dir.Dispose();
    }

    public static TheoryData<int, int> SizesAndCounts()
    {
        var data = new TheoryData<int, int>();
        foreach (int itemSize in new[] { 1, 2, 4, 8, 16 })
        {
            int perChunk = ChunkCodec.ChunkBytes / itemSize;

            // Nothing, less than a chunk, exactly one chunk, and three chunks and a few elements
            // (for float32, 3 MiB + 12 bytes).
            foreach (int count in new[] { 0, 1, 17, perChunk, (3 * perChunk) + 3 })
            {
                data.Add(itemSize, count);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(SizesAndCounts))]
    public void DecompressTo_AfterCompressTo_GivesBackSameBytes(int itemSize, int count)
    {
        byte[] source = SmoothSignal(itemSize * count);

        ChunkEntry[] table = Compress(source, itemSize);

        Assert.Equal(ChunkCodec.ChunkCount(source.Length), table.Length);
        AssertBackToBack(table);
        Assert.Equal(source, Decompress(table, source.Length, itemSize));
    }

    [Fact]
    public void CompressTo_OfSmoothFloats_ShrinksEveryChunk_AndFlagsNoneStored()
    {
        byte[] source = SmoothSignal(3 * ChunkCodec.ChunkBytes);

        ChunkEntry[] table = Compress(source, sizeof(float));

        Assert.All(table, entry => Assert.False(entry.Stored));
        Assert.All(table, (entry, index) => Assert.True(entry.Length < ChunkCodec.RawChunkLength(source.Length, index)));
    }

    [Fact]
    public void CompressTo_OfRandomBytes_StoresChunks_AndRoundTrips()
    {
        var source = new byte[(2 * ChunkCodec.ChunkBytes) + 100];
        new Random(5).NextBytes(source);

        ChunkEntry[] table = Compress(source, sizeof(float));

        Assert.All(table, entry => Assert.True(entry.Stored));
        Assert.Equal([ChunkCodec.ChunkBytes, ChunkCodec.ChunkBytes, 100], table.Select(entry => entry.Length));
        Assert.Equal(HeaderBytes + source.Length, RandomAccess.GetLength(_file));
        Assert.Equal(source, Decompress(table, source.Length, sizeof(float)));
    }

    [Theory]
    [InlineData(20, 4096, 8)]
    [InlineData(2 * ChunkCodec.ChunkBytes, 4096, 2)]
    [InlineData((9 * ChunkCodec.ChunkBytes) + 12, 4096, 2)]  // many batches of one block, each carrying a page to the next
    [InlineData((9 * ChunkCodec.ChunkBytes) + 12, 4096, 4)]
    [InlineData((5 * ChunkCodec.ChunkBytes) + 4, 0, 2)]       // a destination that starts on a block boundary
    [InlineData((5 * ChunkCodec.ChunkBytes) + 4, 12288, 64)]  // one batch
    public void DecompressToFile_WritesTheSameBytesAtTheOffset_AcrossBatchesAndBlocks(int length, int destinationOffset, int chunksPerBatch)
    {
        byte[] source = SmoothSignal(length);
        ChunkEntry[] table = Compress(source, sizeof(float));
        string path = Path.Combine(_dir.Root, "raw.bin");
        using (SafeFileHandle destination = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite))
        {
            ChunkCodec.DecompressToFile(_file, table, source.Length, sizeof(float), destination, destinationOffset, blockBytes: 2 * ChunkCodec.ChunkBytes, chunksPerBatch);
        }

        byte[] written = File.ReadAllBytes(path);
        Assert.Equal(destinationOffset + length, written.Length);
        Assert.Equal(source, written[destinationOffset..]);
    }

    [Fact]
    public void DecompressToFile_WithFlippedByteInOneChunk_ThrowsCorruptChunk_NamingThatChunk()
    {
        byte[] source = SmoothSignal(5 * ChunkCodec.ChunkBytes);
        ChunkEntry[] table = Compress(source, sizeof(float));
        FlipByte(table[3].Offset + 10);
        using SafeFileHandle destination = File.OpenHandle(Path.Combine(_dir.Root, "raw.bin"), FileMode.CreateNew, FileAccess.ReadWrite);

        var ex = Assert.Throws<CorruptChunkException>(() =>
            ChunkCodec.DecompressToFile(_file, table, source.Length, sizeof(float), destination, 4096, blockBytes: 2 * ChunkCodec.ChunkBytes, maxChunksPerBatch: 2));

        Assert.Equal(3, ex.Index);
    }

    [Fact]
    public void DecompressTo_WithFlippedByteInOneChunk_ThrowsCorruptChunk_NamingThatChunk()
    {
        byte[] source = SmoothSignal(3 * ChunkCodec.ChunkBytes);
        ChunkEntry[] table = Compress(source, sizeof(float));
        ChunkEntry damaged = table[1];
        FlipByte(damaged.Offset + (damaged.Length / 2));

        var ex = Assert.Throws<CorruptChunkException>(() => Decompress(table, source.Length, sizeof(float)));

        Assert.Equal(1, ex.Index);
        Assert.StartsWith("chunk 1 ", ex.Message, StringComparison.Ordinal);
    }

    private ChunkEntry[] Compress(byte[] source, int itemSize)
    {
        ChunkEntry[] table = [];
        ByteSource.With<byte>(source, bytes => table = ChunkCodec.CompressTo(_file, HeaderBytes, bytes, itemSize));
        return table;
    }

    private byte[] Decompress(ChunkEntry[] table, long rawLength, int itemSize)
    {
        var destination = new byte[rawLength];
        ChunkCodec.DecompressTo(_file, table, itemSize, destination);
        return destination;
    }

    private static void AssertBackToBack(ChunkEntry[] table)
    {
        long expected = HeaderBytes;
        foreach (ChunkEntry entry in table)
        {
            Assert.Equal(expected, entry.Offset);
            expected += entry.Length;
        }
    }

    private void FlipByte(long offset)
    {
        Span<byte> one = stackalloc byte[1];
        RandomAccess.Read(_file, one, offset);
        one[0] ^= 0x40;
        RandomAccess.Write(_file, one, offset);
    }

    /// <summary>Float32 samples of a slow sine with a little noise, as bytes: compressible once shuffled, at any element size.</summary>
    private static byte[] SmoothSignal(int length)
    {
        var bytes = new byte[length];
        var random = new Random(length);
        Span<byte> sample = stackalloc byte[sizeof(float)];
        for (int i = 0; i < length; i += sizeof(float))
        {
            float value = MathF.Sin(i * 1e-5f) + (random.NextSingle() * 1e-3f);
            BitConverter.TryWriteBytes(sample, value);
            sample[..Math.Min(sizeof(float), length - i)].CopyTo(bytes.AsSpan(i));
        }

        return bytes;
    }
}
