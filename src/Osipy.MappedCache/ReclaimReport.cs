namespace Osipy.MappedCache;

/// <summary>What reclaiming dead sessions removed (see <see cref="IntermediateCache.ReclaimDeadSessions"/>).</summary>
/// <param name="Sessions">Dead sessions whose leftovers were removed.</param>
/// <param name="Segments">Their CACHED segment files removed.</param>
/// <param name="TempFiles">Their unfinished temporary files removed.</param>
/// <param name="Bytes">Bytes of files removed.</param>
public sealed record ReclaimReport(int Sessions, int Segments, int TempFiles, long Bytes)
{
    /// <summary>Nothing was reclaimed.</summary>
    public static ReclaimReport None { get; } = new(0, 0, 0, 0);
}
