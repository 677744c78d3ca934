using System.IO.Hashing;
using Osipy.MappedCache.Format;

namespace Osipy.MappedCache.Tests.Infrastructure;

/// <summary>
/// Writes segment files by hand, for cases Put cannot produce: arrays too big for RAM (written
/// sparse) and records that lie about their shapes.
/// </summary>
public static class SegmentBuilder
{
    /// <summary>
    /// A valid single-array uint8 segment whose payload is zeros except <paramref name="marks"/>,
    /// written as a sparse file so it costs neither RAM nor disk.
    /// </summary>
    internal static void WriteSparseUInt8(string path, string resultType, string key, long[] shape, IReadOnlyDictionary<long, byte> marks)
    {
        long payloadLength = SegmentLayout.PayloadLength(DType.UInt8, shape);
        var (offsets, recordOffset) = SegmentLayout.Plan([payloadLength]);
        var header = new byte[NpyHeader.Size];
        NpyHeader.Write(header, DType.UInt8, shape);

        using FileStream file = new(path, FileMode.CreateNew, FileAccess.ReadWrite);
        file.Write(header);
        foreach (var (index, value) in marks)
        {
            file.Position = offsets[0] + index;
            file.WriteByte(value);
        }

        ulong checksum = HashSparse(payloadLength, marks);
        byte[] record = SegmentRecordCodec.Encode(Record(resultType, key, header, new ArrayRecord(string.Empty, DType.UInt8, shape, offsets[0], payloadLength, checksum)));
        file.Position = recordOffset;
        file.Write(record);
    }

    /// <summary>A file whose record is internally consistent (valid checksum) but whose shape product overflows.</summary>
    internal static void WriteOverflowingShape(string path, string resultType, string key)
    {
        long[] shape = [int.MaxValue, int.MaxValue, int.MaxValue];
        var header = new byte[NpyHeader.Size];
        NpyHeader.Write(header, DType.Float64, shape);
        byte[] record = SegmentRecordCodec.Encode(Record(resultType, key, header, new ArrayRecord(string.Empty, DType.Float64, shape, NpyHeader.Size, 0, 0)));
        using FileStream file = new(path, FileMode.CreateNew, FileAccess.Write);
        file.Write(header);
        file.Write(record);
    }

    /// <summary>A segment whose record is intact (valid checksum) but whose metadata is not a JSON object.</summary>
    internal static void WriteWithMetadataJson(string path, string resultType, string key, string metadataJson)
    {
        long[] shape = [4];
        var header = new byte[NpyHeader.Size];
        NpyHeader.Write(header, DType.Float32, shape);
        var (offsets, recordOffset) = SegmentLayout.Plan([SegmentLayout.PayloadLength(DType.Float32, shape)]);
        SegmentRecord record = Record(resultType, key, header, new ArrayRecord(string.Empty, DType.Float32, shape, offsets[0], 16, XxHash3.HashToUInt64(new byte[16])))
            with { MetadataJson = metadataJson };
        using FileStream file = new(path, FileMode.CreateNew, FileAccess.Write);
        file.Write(header);
        file.Write(new byte[recordOffset - NpyHeader.Size]);
        file.Write(SegmentRecordCodec.Encode(record));
    }

    private static SegmentRecord Record(string resultType, string key, byte[] header, ArrayRecord array) => new()
    {
        Kind = SegmentKind.SingleArray,
        Key = key,
        ResultType = resultType,
        Policy = RetentionPolicy.Persistent,
        CreatedUnixMilliseconds = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
        SessionId = "test-builder",
        MetadataJson = "{}",
        HeaderChecksum = XxHash3.HashToUInt64(header),
        Arrays = [array],
    };

    private static ulong HashSparse(long length, IReadOnlyDictionary<long, byte> marks)
    {
        var hash = new XxHash3();
        var chunk = new byte[1 << 20];
        for (long offset = 0; offset < length; offset += chunk.Length)
        {
            int count = (int)Math.Min(chunk.Length, length - offset);
            Array.Clear(chunk);
            foreach (var (index, value) in marks)
            {
                if (index >= offset && index < offset + count)
                {
                    chunk[index - offset] = value;
                }
            }

            hash.Append(chunk.AsSpan(0, count));
        }

        return hash.GetCurrentHashAsUInt64();
    }
}
