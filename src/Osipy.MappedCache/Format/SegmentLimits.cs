namespace Osipy.MappedCache.Format;

/// <summary>
/// Bounds that every number read from disk is checked against before it sizes anything.
/// Put enforces the same bounds, so every file this library writes passes them.
/// </summary>
internal static class SegmentLimits
{
    /// <summary>Payloads start on this boundary; the NPY header fills the first page.</summary>
    public const int PageSize = 4096;

    /// <summary>
    /// Payload writes end on multiples of this file offset (2 MiB, the x86-64 huge page), so the
    /// page cache can hold a payload in huge folios and a mapping of it can use 2 MiB pages,
    /// as it does for a file np.save wrote in one call. Writes of 1 MiB left it in 1 MiB folios,
    /// mapped with 4 KiB pages (docs/PERFORMANCE.md, "Huge pages").
    /// </summary>
    public const int WriteBlockBytes = 2 * 1024 * 1024;

    /// <summary>NumPy 1.x's NPY_MAXDIMS; numpy 2 allows 64, but 32 keeps files readable by both.</summary>
    public const int MaxDimensions = 32;

    public const int MaxKeyBytes = 64 * 1024;

    public const int MaxMetadataBytes = 1024 * 1024;

    public const int MaxArrays = 1024;

    public const int MaxArrayNameBytes = 1024;

    /// <summary>The largest segment a remote tier may hand back (1 TiB): a length from the network never sizes more.</summary>
    public const long MaxRemoteSegmentBytes = 1L << 40;

    /// <summary>The record holds key, type, metadata and the array table, so it is bounded by them.</summary>
    public const int MaxRecordBytes = 4 * 1024 * 1024;
}
