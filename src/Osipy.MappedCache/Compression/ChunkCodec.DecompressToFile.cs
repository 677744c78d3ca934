using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace Osipy.MappedCache.Compression;

/// <summary>Decompression into a file: chunks decoded in parallel, written with pwrite in pieces that end on block boundaries.</summary>
internal static partial class ChunkCodec
{
    /// <summary>By default at most this many chunks are decoded before their bytes are written: bounds the buffer whatever the core count.</summary>
    private const int MaxChunksPerBatch = 64;

    /// <summary>
    /// Like <see cref="DecompressTo"/>, but writes the raw bytes to <paramref name="destination"/>
    /// from <paramref name="destinationOffset"/> with pwrite: the page cache receives the pages
    /// without a fault per page, as writing through a mapping costs.
    /// </summary>
    /// <remarks>
    /// Every write starts and ends on a multiple of <paramref name="blockBytes"/> of the file
    /// (but the first write's start and the last one's end), as a segment writer's appends do, so
    /// the page cache can keep the payload in folios of that size and readers map it with huge
    /// pages. The payload starts a page past a block boundary, so a block takes the end of one
    /// chunk and most of the next two: chunks are decoded in batches into one buffer, a block is
    /// written by whichever thread decodes its last chunk, and the bytes past the batch's last
    /// whole block are carried to the front of the buffer for the next batch. The buffer holds one
    /// block and one batch (two blocks per core, at most <paramref name="maxChunksPerBatch"/> chunks).
    /// </remarks>
    /// <exception cref="CorruptChunkException">A chunk's checksum or size is wrong; the message names the chunk.</exception>
    /// <exception cref="IOException">A write failed.</exception>
    public static void DecompressToFile(
        SafeFileHandle file, IReadOnlyList<ChunkEntry> table, long rawLength, int itemSize, SafeFileHandle destination, long destinationOffset, int blockBytes,
        int maxChunksPerBatch = MaxChunksPerBatch)
    {
        if (blockBytes <= 0 || blockBytes % ChunkBytes != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(blockBytes), blockBytes, $"A block is a positive multiple of the {ChunkBytes}-byte chunk.");
        }

        int count = table.Count;
        int chunksPerBlock = blockBytes / ChunkBytes;
        int batch = Math.Max(chunksPerBlock, Math.Min(2 * Environment.ProcessorCount * chunksPerBlock, maxChunksPerBatch) / chunksPerBlock * chunksPerBlock);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(blockBytes + (Math.Min(batch, Math.Max(count, 1)) * ChunkBytes));
        try
        {
            long bufferStart = destinationOffset; // the file offset of buffer[0]
            int carried = 0;                      // decoded bytes at the front of the buffer, not yet written
            for (int first = 0; first < count; first += batch)
            {
                int size = Math.Min(batch, count - first);
                long batchRawEnd = Math.Min((long)(first + size) * ChunkBytes, rawLength);
                long filled = carried + (batchRawEnd - ((long)first * ChunkBytes));
                bool last = first + size == count;
                long writeEnd = last ? bufferStart + filled : (bufferStart + filled) / blockBytes * blockBytes;
                long firstBlock = bufferStart / blockBytes;
                int blocks = writeEnd > bufferStart ? (int)(((writeEnd - 1) / blockBytes) - firstBlock + 1) : 0;

                // How many of this batch's chunks each block still waits for.
                var pending = new int[blocks];
                for (int k = 0; k < size; k++)
                {
                    (int from, int to) = BlocksOf(carried, k, RawChunkLength(rawLength, first + k), bufferStart, firstBlock, blocks, blockBytes);
                    for (int b = from; b <= to; b++)
                    {
                        pending[b]++;
                    }
                }

                int carriedNow = carried;
                long startNow = bufferStart;
                Parallel.For(0, size, k =>
                {
                    int rawChunk = RawChunkLength(rawLength, first + k);
                    DecodeChunk(file, table[first + k], first + k, rawLength, itemSize, buffer.AsSpan(carriedNow + (k * ChunkBytes), rawChunk));
                    (int from, int to) = BlocksOf(carriedNow, k, rawChunk, startNow, firstBlock, blocks, blockBytes);
                    for (int b = from; b <= to; b++)
                    {
                        if (Interlocked.Decrement(ref pending[b]) == 0)
                        {
                            long blockStart = Math.Max(startNow, (firstBlock + b) * blockBytes);
                            long blockEnd = Math.Min(writeEnd, (firstBlock + b + 1) * blockBytes);
                            RandomAccess.Write(destination, buffer.AsSpan((int)(blockStart - startNow), (int)(blockEnd - blockStart)), blockStart);
                        }
                    }
                });

                // The bytes past the last whole block wait for the next batch's chunks.
                int rest = (int)(bufferStart + filled - writeEnd);
                buffer.AsSpan((int)(writeEnd - bufferStart), rest).CopyTo(buffer);
                carried = rest;
                bufferStart = writeEnd;
            }
        }
        catch (AggregateException ex) when (ex.InnerExceptions.OfType<CorruptChunkException>().FirstOrDefault() is { } corrupt)
        {
            throw corrupt;
        }
        catch (AggregateException ex) when (ex.InnerExceptions.OfType<IOException>().FirstOrDefault() is { } failed)
        {
            throw failed;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The blocks (indices from the batch's first) that chunk <paramref name="k"/> of the batch has bytes in; empty (from &gt; to) past the last written block.</summary>
    private static (int From, int To) BlocksOf(int carried, int k, int rawChunk, long bufferStart, long firstBlock, int blocks, int blockBytes)
    {
        long start = bufferStart + carried + ((long)k * ChunkBytes);
        int from = (int)((start / blockBytes) - firstBlock);
        int to = (int)(((start + Math.Max(rawChunk, 1) - 1) / blockBytes) - firstBlock);
        return (from, Math.Min(to, blocks - 1));
    }
}
