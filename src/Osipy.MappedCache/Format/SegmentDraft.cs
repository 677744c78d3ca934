namespace Osipy.MappedCache.Format;

/// <summary>One array to be written: its name (empty for a single-array segment), type and shape.</summary>
internal sealed record ArrayDraft(string Name, DType DType, long[] Shape)
{
    public long PayloadLength => SegmentLayout.PayloadLength(DType, Shape);
}

/// <summary>Everything about a segment except its payload bytes and checksums, which the writer adds.</summary>
internal sealed record SegmentDraft
{
    public required SegmentKind Kind { get; init; }

    public required string Key { get; init; }

    public required string ResultType { get; init; }

    public required RetentionPolicy Policy { get; init; }

    public required long CreatedUnixMilliseconds { get; init; }

    public required string SessionId { get; init; }

    public required string MetadataJson { get; init; }

    public required IReadOnlyList<ArrayDraft> Arrays { get; init; }

    /// <summary>The record of the segment as written: this draft plus the checksums and the payloads' places.</summary>
    public SegmentRecord ToRecord(ulong headerChecksum, IReadOnlyList<ArrayRecord> arrays) => new()
    {
        Kind = Kind,
        Key = Key,
        ResultType = ResultType,
        Policy = Policy,
        CreatedUnixMilliseconds = CreatedUnixMilliseconds,
        SessionId = SessionId,
        MetadataJson = MetadataJson,
        HeaderChecksum = headerChecksum,
        Arrays = arrays,
    };
}
