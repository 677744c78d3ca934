namespace Osipy.MappedCache.Format;

/// <summary>
/// Where things go in a segment file. The layout is a pure function of the arrays' types and
/// shapes, so the opener recomputes it and rejects any file whose offsets or length differ.
/// <code>
/// [0, 4096)                  NPY header (single array) or bundle preamble, space-padded
/// [4096, ...)                payload 0, then each further payload on the next page boundary
/// [align8(end of payloads))  record, ending in a 24-byte trailer at the very end of the file
/// </code>
/// </summary>
internal static class SegmentLayout
{
    public const long FirstPayloadOffset = SegmentLimits.PageSize;

    /// <summary>Product of the dimensions; 1 for a 0-d array.</summary>
    /// <exception cref="OverflowException">The product does not fit in 63 bits.</exception>
    public static long ElementCount(ReadOnlySpan<long> shape)
    {
        long count = 1;
        foreach (long dim in shape)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(dim);
            count = checked(count * dim);
        }

        return count;
    }

    public static long PayloadLength(DType dtype, ReadOnlySpan<long> shape) =>
        checked(ElementCount(shape) * DTypes.ItemSize(dtype));

    /// <summary>Offsets of each payload (page-aligned, in order) and of the record, from the payloads' lengths.</summary>
    /// <exception cref="OverflowException">The arrays do not fit in a file.</exception>
    public static (long[] PayloadOffsets, long RecordOffset) Plan(ReadOnlySpan<long> payloadLengths)
    {
        var offsets = new long[payloadLengths.Length];
        long position = FirstPayloadOffset;
        for (int i = 0; i < payloadLengths.Length; i++)
        {
            position = AlignUp(position, SegmentLimits.PageSize);
            offsets[i] = position;
            position = checked(position + payloadLengths[i]);
        }

        return (offsets, AlignUp(position, 8));
    }

    public static long AlignUp(long value, long alignment) => checked((value + alignment - 1) / alignment * alignment);
}
