namespace Osipy.MappedCache.Format;

/// <summary>What a segment file holds: one NPY array, or a bundle of named arrays.</summary>
internal enum SegmentKind : byte
{
    SingleArray = 1,
    Bundle = 2,

    /// <summary>One array, shuffled and LZ4-compressed in chunks (docs/FORMAT.md, "Compressed segments").</summary>
    Compressed = 3,
}

/// <summary>One array's place in a segment: its type, shape, and where its payload lies.</summary>
internal sealed record ArrayRecord(string Name, DType DType, long[] Shape, long PayloadOffset, long PayloadLength, ulong PayloadChecksum)
{
    public long ElementCount => SegmentLayout.ElementCount(Shape);

    /// <summary>The shape as the public API gives it (each dimension is at most int.MaxValue, checked on decode).</summary>
    public IReadOnlyList<int> IntShape()
    {
        var dims = new int[Shape.Length];
        for (int i = 0; i < dims.Length; i++)
        {
            dims[i] = checked((int)Shape[i]);
        }

        return Array.AsReadOnly(dims);
    }
}

/// <summary>
/// The cache's own description of a segment, stored in a checksummed block after the payloads
/// (see docs/FORMAT.md). NumPy never reads it.
/// </summary>
internal sealed record SegmentRecord
{
    public const ushort CurrentVersion = 1;

    public required SegmentKind Kind { get; init; }

    public required string Key { get; init; }

    public required string ResultType { get; init; }

    public required RetentionPolicy Policy { get; init; }

    public required long CreatedUnixMilliseconds { get; init; }

    /// <summary>The session that wrote the segment; a CACHED segment belongs to it.</summary>
    public required string SessionId { get; init; }

    public required string MetadataJson { get; init; }

    /// <summary>XxHash3 of the first page (the NPY header or the bundle preamble).</summary>
    public required ulong HeaderChecksum { get; init; }

    public required IReadOnlyList<ArrayRecord> Arrays { get; init; }

    public long PayloadBytes
    {
        get
        {
            long total = 0;
            foreach (ArrayRecord array in Arrays)
            {
                total += array.PayloadLength;
            }

            return total;
        }
    }

    /// <summary>Names this write: session, time, and the checksums of header and payloads (what <see cref="IsSameWriteAs"/> compares).</summary>
    public string WriteStamp
    {
        get
        {
            var stamp = new System.Text.StringBuilder($"{SessionId}/{CreatedUnixMilliseconds}/{HeaderChecksum:x16}");
            foreach (ArrayRecord array in Arrays)
            {
                stamp.Append('/').Append(array.PayloadChecksum.ToString("x16", System.Globalization.CultureInfo.InvariantCulture));
            }

            return stamp.ToString();
        }
    }

    /// <summary>Whether both records describe the same put: same session, time, header and payloads.</summary>
    public bool IsSameWriteAs(SegmentRecord other) =>
        SessionId == other.SessionId
        && CreatedUnixMilliseconds == other.CreatedUnixMilliseconds
        && HeaderChecksum == other.HeaderChecksum
        && Arrays.Select(a => a.PayloadChecksum).SequenceEqual(other.Arrays.Select(a => a.PayloadChecksum));
}
