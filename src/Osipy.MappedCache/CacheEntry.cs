namespace Osipy.MappedCache;

/// <summary>
/// What the cache knows about one stored result, without its data (osipy's <c>CacheEntry</c>).
/// Read from the segment's record; getting it never maps or reads the payload.
/// </summary>
/// <remarks>Immutable and safe to share between threads.</remarks>
public sealed class CacheEntry
{
    private IReadOnlyDictionary<string, object?>? _metadata;
    private IReadOnlyList<string>? _tags;
    private ProvenanceKey? _provenance;

    internal CacheEntry()
    {
    }

    /// <summary>The key given to Put.</summary>
    public required string Key { get; init; }

    /// <summary>The result type given to Put (for example "t1_map").</summary>
    public required string ResultType { get; init; }

    /// <summary>When the entry was put, from the cache's clock.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Bytes of array data (all arrays, for a bundle).</summary>
    public required long SizeBytes { get; init; }

    /// <summary>The metadata given to Put, as read back from JSON: integers are <see cref="long"/> (<see cref="ulong"/> above its range), floating-point numbers <see cref="double"/> even when integral (1400.0 stays 1400.0).</summary>
    /// <remarks>Parsed on first read, so a get that never looks at it does not pay for it.</remarks>
    public IReadOnlyDictionary<string, object?> Metadata =>
        LazyInitializer.EnsureInitialized(ref _metadata, () => WithoutTags(Format.MetadataJson.Deserialize(MetadataJson)));

    /// <summary>
    /// The entry's image geometry: its <c>nifti.*</c> metadata (voxel sizes, orientation, units:
    /// what <c>osipy-cache import</c> kept of a NIfTI header), without <c>nifti.stored_datatype</c>,
    /// which describes the source file's storage only. Put a map derived from this entry with
    /// these in its metadata, and <c>osipy-cache export</c> writes it with the same affine.
    /// </summary>
    /// <example><code>
    /// var geometry = cache.GetEntry("dce", "sub-01")!.Geometry;
    /// cache.Put("t1_map", "sub-01", t1, new Dictionary&lt;string, object?&gt;(geometry) { ["method"] = "vfa" });
    /// </code></example>
    public IReadOnlyDictionary<string, object?> Geometry =>
        Metadata.Where(pair => pair.Key.StartsWith(GeometryPrefix, StringComparison.Ordinal) && pair.Key != StoredDataType)
            .ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.Ordinal);

    private const string GeometryPrefix = "nifti.";
    private const string StoredDataType = "nifti.stored_datatype";

    /// <summary>The tags given to Put, Create or GetOrCreate ("subject:07"), in the order given; empty if none.</summary>
    /// <remarks><c>InvalidateTag</c> removes every entry carrying a tag.</remarks>
    public IReadOnlyList<string> Tags => LazyInitializer.EnsureInitialized(ref _tags, () => Format.EntryTags.Of(MetadataJson));

    /// <summary>
    /// What the entry was computed from, when it was stored under a <see cref="ProvenanceKey"/> (by C#
    /// or Python): its function and each component's digest and text, read from the metadata's
    /// <c>"osipy_provenance"</c>; null for an entry put under a key of the caller's choosing.
    /// </summary>
    public ProvenanceKey? Provenance => _provenance ??= Osipy.MappedCache.Provenance.StoredProvenance.Read(Metadata, Key);

    /// <summary>The metadata as stored: one JSON object, validated when the segment was opened.</summary>
    internal string MetadataJson { get; init; } = "{}";

    /// <summary>The policy the entry was stored under.</summary>
    public required RetentionPolicy Policy { get; init; }

    /// <summary>Element type of a single-array entry (for example <see cref="float"/>); null for a bundle.</summary>
    public required Type? ElementType { get; init; }

    /// <summary>Shape of a single-array entry, C order; empty for a bundle and for a 0-d array.</summary>
    public required IReadOnlyList<int> Shape { get; init; }

    /// <summary>Names of a bundle's arrays, in the order they were put; empty for a single array.</summary>
    public required IReadOnlyList<string> ArrayNames { get; init; }

    /// <summary>True when the entry was put as a dictionary of arrays (use <c>GetBundle</c>).</summary>
    public bool IsBundle => ElementType is null;

    /// <summary>A one-line description for logs and debuggers, for example
    /// <c>t1_map/sub-01: float32[128, 128, 32], 2.0 MiB, Persistent, created 2026-12-04T20:49:05Z</c>.</summary>
    public override string ToString()
    {
        string what = IsBundle
            ? $"{{{string.Join(", ", ArrayNames)}}}"
            : $"{Format.DTypes.NumpyName(Format.DTypes.FromType(ElementType!))}[{string.Join(", ", Shape)}]";
        string tags = Tags.Count == 0 ? string.Empty : $", tags [{string.Join(", ", Tags)}]";
        return $"{ResultType}/{Key}: {what}, {FormatBytes(SizeBytes)}, {Policy}, created {CreatedAt.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}{tags}";
    }

    private static string FormatBytes(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.0} KiB"),
        < 1024L * 1024 * 1024 => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.0} MiB"),
        _ => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024 * 1024):0.00} GiB"),
    };

    private static IReadOnlyDictionary<string, object?> WithoutTags(IReadOnlyDictionary<string, object?> metadata)
    {
        if (!metadata.ContainsKey(Format.EntryTags.Property))
        {
            return metadata;
        }

        var copy = new Dictionary<string, object?>(metadata);
        copy.Remove(Format.EntryTags.Property);
        return copy;
    }
}
