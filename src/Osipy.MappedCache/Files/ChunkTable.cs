using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;
using Osipy.MappedCache.Compression;
using Osipy.MappedCache.Format;

namespace Osipy.MappedCache.Files;

/// <summary>
/// The chunk table of a compressed segment: one 24-byte entry per 1 MiB raw chunk, between the
/// chunks and the record (docs/FORMAT.md, "Compressed segments").
/// <code>
/// i64 offset | i32 compressed length | u32 flags (1 = stored uncompressed) | u64 XxHash3 of the bytes as written
/// </code>
/// </summary>
internal static class ChunkTable
{
    public const int EntryLength = 24;

    private const uint StoredFlag = 1;

    public static byte[] Encode(IReadOnlyList<ChunkEntry> entries)
    {
        var bytes = new byte[entries.Count * EntryLength];
        for (int i = 0; i < entries.Count; i++)
        {
            Span<byte> entry = bytes.AsSpan(i * EntryLength, EntryLength);
            BinaryPrimitives.WriteInt64LittleEndian(entry, entries[i].Offset);
            BinaryPrimitives.WriteInt32LittleEndian(entry[8..], entries[i].Length);
            BinaryPrimitives.WriteUInt32LittleEndian(entry[12..], entries[i].Stored ? StoredFlag : 0);
            BinaryPrimitives.WriteUInt64LittleEndian(entry[16..], entries[i].Checksum);
        }

        return bytes;
    }

    /// <summary>
    /// Reads and checks the table: chunks must lie back to back from the first page to the table,
    /// each no longer than LZ4's bound, a stored chunk exactly its raw length.
    /// </summary>
    /// <exception cref="CorruptSegmentException">The table is inconsistent.</exception>
    public static ChunkEntry[] Read(SafeFileHandle file, ArrayRecord array, string path)
    {
        int count = ChunkCodec.ChunkCount(array.PayloadLength);
        var bytes = new byte[count * EntryLength]; // bounded: the layout check put the whole table inside the file
        if (bytes.Length > 0 && RandomAccess.Read(file, bytes, array.PayloadOffset) != bytes.Length)
        {
            throw new CorruptSegmentException(path, "chunk table truncated");
        }

        var entries = new ChunkEntry[count];
        long expectedOffset = SegmentLimits.PageSize;
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<byte> entry = bytes.AsSpan(i * EntryLength, EntryLength);
            long offset = BinaryPrimitives.ReadInt64LittleEndian(entry);
            int length = BinaryPrimitives.ReadInt32LittleEndian(entry[8..]);
            uint flags = BinaryPrimitives.ReadUInt32LittleEndian(entry[12..]);
            bool stored = flags == StoredFlag;
            if (offset != expectedOffset || length < 0 || length > ChunkCodec.MaxChunkLength || flags > StoredFlag
                || (stored && length != ChunkCodec.RawChunkLength(array.PayloadLength, i)))
            {
                throw new CorruptSegmentException(path, $"chunk table entry {i} is inconsistent");
            }

            entries[i] = new ChunkEntry(offset, length, stored, BinaryPrimitives.ReadUInt64LittleEndian(entry[16..]));
            expectedOffset += length;
        }

        if (SegmentLayout.AlignUp(expectedOffset, 8) != array.PayloadOffset)
        {
            throw new CorruptSegmentException(path, "the chunks do not end where the chunk table starts");
        }

        return entries;
    }
}
