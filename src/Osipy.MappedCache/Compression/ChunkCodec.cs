using System.Buffers;
using System.IO.Hashing;
using K4os.Compression.LZ4;
using Microsoft.Win32.SafeHandles;
using Osipy.MappedCache.Mapping;

namespace Osipy.MappedCache.Compression;

/// <summary>
/// One compressed chunk in a file: where it is, how long, whether it is stored uncompressed (it
/// did not shrink), and the checksum of its bytes as written.
/// </summary>
internal readonly record struct ChunkEntry(long Offset, int Length, bool Stored, ulong Checksum);

/// <summary>A chunk failed its checks while being decoded; the reader of the file turns this into a corrupt segment.</summary>
internal sealed class CorruptChunkException(int index, string reason) : Exception($"chunk {index} {reason}")
{
    public int Index { get; } = index;
}

/// <summary>
/// Compresses an array's bytes in independent chunks (byte-shuffle, then LZ4) across all cores, and
/// decompresses them back, chunk by chunk in parallel, straight into the destination memory.
/// </summary>
/// <remarks>
/// Memory stays bounded: compression works on batches of a few chunks per core and writes each
/// batch before the next. Every number read from a chunk table is checked before it sizes a read.
/// </remarks>
internal static partial class ChunkCodec
{
    /// <summary>Raw bytes per chunk: a multiple of every element size, large enough for LZ4 to find matches.</summary>
    public const int ChunkBytes = 1 << 20;

    /// <summary>The largest compressed chunk a reader accepts: LZ4's bound for a full chunk.</summary>
    public static int MaxChunkLength { get; } = LZ4Codec.MaximumOutputSize(ChunkBytes);

    public static int ChunkCount(long rawLength) => checked((int)((rawLength + ChunkBytes - 1) / ChunkBytes));

    public static int RawChunkLength(long rawLength, int index) => (int)Math.Min(ChunkBytes, rawLength - ((long)index * ChunkBytes));

    /// <summary>
    /// Compresses the bytes of <paramref name="source"/> (elements of <paramref name="itemSize"/>
    /// bytes) and writes the chunks back to back from <paramref name="fileOffset"/>.
    /// </summary>
    /// <returns>The chunk table, with absolute file offsets.</returns>
    public static ChunkEntry[] CompressTo(SafeFileHandle file, long fileOffset, ByteSource source, int itemSize)
    {
        long length = source.Length;
        int count = ChunkCount(length);
        var table = new ChunkEntry[count];
        // Several chunks per core per batch: a batch waits for its slowest chunk, and chunks of the
        // zero background compress many times faster than the body's (measured 10-14% faster than 2).
        int batch = Environment.ProcessorCount * 8;
        byte[][] outputs = [.. Enumerable.Range(0, Math.Min(batch, Math.Max(count, 1))).Select(_ => ArrayPool<byte>.Shared.Rent(MaxChunkLength))];
        var lengths = new int[outputs.Length];
        var stored = new bool[outputs.Length];
        var checksums = new ulong[outputs.Length];
        long position = fileOffset;
        try
        {
            for (int first = 0; first < count; first += batch)
            {
                int size = Math.Min(batch, count - first);
                Parallel.For(0, size, k =>
                {
                    int index = first + k;
                    ReadOnlySpan<byte> raw = source.Slice((long)index * ChunkBytes, RawChunkLength(length, index));
                    byte[] shuffled = ArrayPool<byte>.Shared.Rent(raw.Length);
                    try
                    {
                        ByteShuffle.Shuffle(raw, shuffled.AsSpan(0, raw.Length), itemSize);
                        int encoded = LZ4Codec.Encode(shuffled.AsSpan(0, raw.Length), outputs[k]);
                        stored[k] = encoded <= 0 || encoded >= raw.Length;
                        if (stored[k])
                        {
                            shuffled.AsSpan(0, raw.Length).CopyTo(outputs[k]);
                            encoded = raw.Length;
                        }

                        lengths[k] = encoded;
                        checksums[k] = XxHash3.HashToUInt64(outputs[k].AsSpan(0, encoded));
                    }
                    finally
                    {
                        ArrayPool<byte>.Shared.Return(shuffled);
                    }
                });

                for (int k = 0; k < size; k++)
                {
                    ReadOnlySpan<byte> chunk = outputs[k].AsSpan(0, lengths[k]);
                    RandomAccess.Write(file, chunk, position);
                    table[first + k] = new ChunkEntry(position, lengths[k], stored[k], checksums[k]);
                    position += lengths[k];
                }
            }
        }
        finally
        {
            foreach (byte[] output in outputs)
            {
                ArrayPool<byte>.Shared.Return(output);
            }
        }

        return table;
    }

    /// <summary>
    /// Reads, checks and decompresses every chunk into <paramref name="destination"/> (the array's
    /// raw length), in parallel.
    /// </summary>
    /// <exception cref="CorruptChunkException">A chunk's checksum or size is wrong; the message names the chunk.</exception>
    public static void DecompressTo(SafeFileHandle file, IReadOnlyList<ChunkEntry> table, int itemSize, Memory<byte> destination)
    {
        try
        {
            Parallel.For(0, table.Count, index => DecodeChunk(
                file, table[index], index, destination.Length, itemSize,
                destination.Span.Slice(index * ChunkBytes, RawChunkLength(destination.Length, index))));
        }
        catch (AggregateException ex) when (ex.InnerExceptions.OfType<CorruptChunkException>().FirstOrDefault() is { } corrupt)
        {
            throw corrupt;
        }
    }

    /// <summary>Reads chunk <paramref name="index"/>, checks it, and writes its raw bytes to <paramref name="output"/>.</summary>
    private static void DecodeChunk(SafeFileHandle file, ChunkEntry entry, int index, long rawLength, int itemSize, Span<byte> output)
    {
        int rawChunk = RawChunkLength(rawLength, index);
        if (entry.Length < 0 || entry.Length > MaxChunkLength)
        {
            throw new CorruptChunkException(index, $"claims {entry.Length} bytes");
        }

        byte[] compressed = ArrayPool<byte>.Shared.Rent(entry.Length);
        byte[] shuffled = ArrayPool<byte>.Shared.Rent(rawChunk);
        try
        {
            Span<byte> bytes = compressed.AsSpan(0, entry.Length);
            if (RandomAccess.Read(file, bytes, entry.Offset) != entry.Length || XxHash3.HashToUInt64(bytes) != entry.Checksum)
            {
                throw new CorruptChunkException(index, $"(at byte {entry.Offset}) fails its checksum");
            }

            Span<byte> plain = shuffled.AsSpan(0, rawChunk);
            if (entry.Stored)
            {
                if (entry.Length != rawChunk)
                {
                    throw new CorruptChunkException(index, $"is stored with {entry.Length} bytes, not {rawChunk}");
                }

                bytes.CopyTo(plain);
            }
            else if (LZ4Codec.Decode(bytes, plain) != rawChunk)
            {
                throw new CorruptChunkException(index, $"does not decompress to {rawChunk} bytes");
            }

            ByteShuffle.Unshuffle(plain, output, itemSize);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(compressed);
            ArrayPool<byte>.Shared.Return(shuffled);
        }
    }
}
