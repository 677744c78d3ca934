using System.Buffers.Binary;
using System.Text;

namespace Osipy.MappedCache.Format;

/// <summary>
/// The layout of an unfinished fill's file (docs/FORMAT.md, "Unfinished fills"), little-endian:
/// <code>
/// 0    8  magic "OSIPYUF1"
/// 8    4  version (1)
/// 12   4  payload offset (a multiple of 4096)
/// 16   8  payload bytes
/// 24   4  blocks
/// 28   4  ndim
/// 32   4  dtype descr length   36  4  result type length   40  4  key length   44  4  zero
/// 48   8·ndim dimensions, then the descr, result type and key in UTF-8, zero-padded to 16
/// then the block table: 16 bytes per block, [xxhash3-64 of the block's bytes][u32 "DONE" marker][u32 0]
/// payload offset: the array's bytes, C order, as the committed segment's payload
/// </code>
/// Pure: no I/O. A file is trusted only if its prefix (everything before the block table) equals
/// <see cref="Prefix"/> of the fill asked for, byte for byte, and its length is exactly
/// <see cref="FileLength"/>: nothing read from it is parsed.
/// </summary>
internal sealed class UnfinishedFillHeader
{
    public const int Version = 1;

    /// <summary>The marker of a recorded block: "DONE" as a little-endian u32.</summary>
    public const uint DoneMarker = 0x454E4F44;

    public const int EntryBytes = 16;

    private static ReadOnlySpan<byte> Magic => "OSIPYUF1"u8;

    private UnfinishedFillHeader(byte[] prefix, FillBlocks blocks, long payloadOffset)
    {
        Prefix = prefix;
        Blocks = blocks;
        PayloadOffset = payloadOffset;
    }

    /// <summary>Everything before the block table: what a valid file must start with.</summary>
    public byte[] Prefix { get; }

    public FillBlocks Blocks { get; }

    /// <summary>Where the block table starts.</summary>
    public long TableOffset => Prefix.Length;

    public long PayloadOffset { get; }

    /// <summary>Names this fill exactly (type, key, shape, element type, blocks): the XxHash128 of <see cref="Prefix"/>, in hex.</summary>
    public string FillId => Convert.ToHexStringLower(System.IO.Hashing.XxHash128.Hash(Prefix));

    public long FileLength => PayloadOffset + Blocks.PayloadBytes;

    public static UnfinishedFillHeader For(string resultType, string key, DType dtype, long[] dims, FillBlocks blocks)
    {
        byte[] descr = Encoding.UTF8.GetBytes(DTypes.Descr(dtype));
        byte[] type = Encoding.UTF8.GetBytes(resultType);
        byte[] keyBytes = Encoding.UTF8.GetBytes(key);
        int length = Align(48 + (8 * dims.Length) + descr.Length + type.Length + keyBytes.Length, EntryBytes);
        long tableEnd = length + ((long)blocks.Count * EntryBytes);
        long payloadOffset = Align(tableEnd, SegmentLimits.PageSize);

        var prefix = new byte[length];
        Span<byte> span = prefix;
        Magic.CopyTo(span);
        BinaryPrimitives.WriteInt32LittleEndian(span[8..], Version);
        BinaryPrimitives.WriteInt32LittleEndian(span[12..], checked((int)payloadOffset));
        BinaryPrimitives.WriteInt64LittleEndian(span[16..], blocks.PayloadBytes);
        BinaryPrimitives.WriteInt32LittleEndian(span[24..], blocks.Count);
        BinaryPrimitives.WriteInt32LittleEndian(span[28..], dims.Length);
        BinaryPrimitives.WriteInt32LittleEndian(span[32..], descr.Length);
        BinaryPrimitives.WriteInt32LittleEndian(span[36..], type.Length);
        BinaryPrimitives.WriteInt32LittleEndian(span[40..], keyBytes.Length);
        int at = 48;
        foreach (long dim in dims)
        {
            BinaryPrimitives.WriteInt64LittleEndian(span[at..], dim);
            at += 8;
        }

        descr.CopyTo(span[at..]);
        at += descr.Length;
        type.CopyTo(span[at..]);
        at += type.Length;
        keyBytes.CopyTo(span[at..]);
        return new UnfinishedFillHeader(prefix, blocks, payloadOffset);
    }

    /// <summary>The table entry of a recorded block whose bytes hash to <paramref name="hash"/>.</summary>
    public static void WriteEntry(Span<byte> entry, ulong hash)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(entry, hash);
        BinaryPrimitives.WriteUInt32LittleEndian(entry[8..], DoneMarker);
        BinaryPrimitives.WriteUInt32LittleEndian(entry[12..], 0);
    }

    /// <summary>The hash a table entry records, or null if the entry does not mark its block done.</summary>
    public static ulong? ReadEntry(ReadOnlySpan<byte> entry) =>
        BinaryPrimitives.ReadUInt32LittleEndian(entry[8..]) == DoneMarker && BinaryPrimitives.ReadUInt32LittleEndian(entry[12..]) == 0
            ? BinaryPrimitives.ReadUInt64LittleEndian(entry)
            : null;

    public long EntryOffset(int index) => TableOffset + ((long)index * EntryBytes);

    private static int Align(int value, int to) => (value + to - 1) / to * to;

    private static long Align(long value, int to) => (value + to - 1) / to * to;
}
