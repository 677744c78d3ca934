namespace Osipy.MappedCache;

/// <summary>What reclaiming dead sessions removed (see <see cref="IntermediateCache.ReclaimDeadSessions"/>).</summary>
/// <param name="Sessions">Dead sessions whose leftovers were removed.</param>
/// <param name="Segments">Their CACHED segment files removed.</param>
/// <param name="TempFiles">Their unfinished temporary files removed (including raw copies of compressed entries killed mid-decompression).</param>
/// <param name="Bytes">Bytes of files removed.</param>
public sealed record ReclaimReport(int Sessions, int Segments, int TempFiles, long Bytes)
{
    /// <summary>Nothing was reclaimed.</summary>
    public static ReclaimReport None { get; } = new(0, 0, 0, 0);

    /// <summary>
    /// Raw copies of compressed entries removed because their compressed file is gone, found in
    /// the directories the dead sessions wrote into (their <see cref="Bytes"/> are counted too).
    /// </summary>
    public int RawCopies { get; init; }

    /// <summary>
    /// Unfinished fills in blocks (<see cref="IntermediateCache.GetOrCreate{T}(string, string, ReadOnlySpan{int}, int, BlockFill{T}, IReadOnlyDictionary{string, object?}?, IReadOnlyCollection{string}?)"/>)
    /// that nobody resumed for <see cref="CacheConfig.UnfinishedFillRetention"/>, removed (their <see cref="Bytes"/> are counted too).
    /// </summary>
    public int UnfinishedFills { get; init; }
}
