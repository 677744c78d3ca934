using System.Buffers;
using System.IO.Hashing;
using Microsoft.Win32.SafeHandles;
using Osipy.MappedCache.Compression;
using ZstdSharp;

namespace Osipy.MappedCache.Benchmarks;

/// <summary>
/// <see cref="ChunkCodec"/> with zstd in place of LZ4: the same 1 MiB chunks, byte shuffle,
/// batches, parallelism, checksums and file writes, so that only the codec differs.
/// </summary>
/// <remarks>Benchmark-only: measures whether zstd would be a better choice than LZ4 (issue 5).</remarks>
internal static class ZstdChunkCodec
{
    public static ChunkEntry[] CompressTo(SafeFileHandle file, long fileOffset, ReadOnlyMemory<byte> source, int itemSize, int level)
    {
        int count = ChunkCodec.ChunkCount(source.Length);
        var table = new ChunkEntry[count];
        int batch = Environment.ProcessorCount * 2;
        int bound = Compressor.GetCompressBound(ChunkCodec.ChunkBytes);
        byte[][] outputs = [.. Enumerable.Range(0, Math.Min(batch, Math.Max(count, 1))).Select(_ => ArrayPool<byte>.Shared.Rent(bound))];
        var lengths = new int[outputs.Length];
        var stored = new bool[outputs.Length];
        long position = fileOffset;

        // A zstd context is not thread-safe, and costly to create: one per thread, for the whole call.
        using var compressors = new ThreadLocal<Compressor>(() => new Compressor(level), trackAllValues: true);
        try
        {
            for (int first = 0; first < count; first += batch)
            {
                int size = Math.Min(batch, count - first);
                Parallel.For(0, size, k =>
                {
                    int index = first + k;
                    ReadOnlySpan<byte> raw = source.Span.Slice(index * ChunkCodec.ChunkBytes, ChunkCodec.RawChunkLength(source.Length, index));
                    byte[] shuffled = ArrayPool<byte>.Shared.Rent(raw.Length);
                    try
                    {
                        ByteShuffle.Shuffle(raw, shuffled.AsSpan(0, raw.Length), itemSize);
                        int encoded = compressors.Value!.Wrap(shuffled.AsSpan(0, raw.Length), outputs[k]);
                        stored[k] = encoded >= raw.Length;
                        if (stored[k])
                        {
                            shuffled.AsSpan(0, raw.Length).CopyTo(outputs[k]);
                            encoded = raw.Length;
                        }

                        lengths[k] = encoded;
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
                    table[first + k] = new ChunkEntry(position, lengths[k], stored[k], XxHash3.HashToUInt64(chunk));
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

            foreach (Compressor compressor in compressors.Values)
            {
                compressor.Dispose();
            }
        }

        return table;
    }

    public static void DecompressTo(SafeFileHandle file, IReadOnlyList<ChunkEntry> table, Memory<byte> destination, int itemSize)
    {
        using var decompressors = new ThreadLocal<Decompressor>(() => new Decompressor(), trackAllValues: true);
        try
        {
            Parallel.For(0, table.Count, index =>
            {
                ChunkEntry entry = table[index];
                int rawChunk = ChunkCodec.RawChunkLength(destination.Length, index);
                byte[] compressed = ArrayPool<byte>.Shared.Rent(entry.Length);
                byte[] shuffled = ArrayPool<byte>.Shared.Rent(rawChunk);
                try
                {
                    Span<byte> bytes = compressed.AsSpan(0, entry.Length);
                    if (RandomAccess.Read(file, bytes, entry.Offset) != entry.Length || XxHash3.HashToUInt64(bytes) != entry.Checksum)
                    {
                        throw new InvalidDataException($"chunk {index} fails its checksum");
                    }

                    Span<byte> plain = shuffled.AsSpan(0, rawChunk);
                    if (entry.Stored)
                    {
                        bytes.CopyTo(plain);
                    }
                    else if (decompressors.Value!.Unwrap(bytes, plain) != rawChunk)
                    {
                        throw new InvalidDataException($"chunk {index} does not decompress to {rawChunk} bytes");
                    }

                    ByteShuffle.Unshuffle(plain, destination.Span.Slice(index * ChunkCodec.ChunkBytes, rawChunk), itemSize);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(compressed);
                    ArrayPool<byte>.Shared.Return(shuffled);
                }
            });
        }
        finally
        {
            foreach (Decompressor decompressor in decompressors.Values)
            {
                decompressor.Dispose();
            }
        }
    }
}
