using Osipy.MappedCache.Files;
using Osipy.MappedCache.Mapping;

namespace Osipy.MappedCache.Caching;

/// <summary>
/// The raw copies' budget (<see cref="CacheConfig.RawCopyBudgetMb"/>): raw copies of compressed
/// entries are a cache of decompressions, not data, so the node keeps at most the budget of them.
/// </summary>
/// <remarks>
/// <para>The order, written here: when the copies in the CACHED directory exceed the budget, they
/// go least recently used first (by the directory's last-use table, which every process's gets
/// stamp), and a copy some process maps (<see cref="RawCopyUse"/>) is skipped, never removed, so
/// live sessions may hold the node over its budget until they let go. A removed copy is made
/// again by the next get of its entry.</para>
/// <para>Run when a session opens and when it ends, outside every lock but the key stripes the
/// removals take; it lists the CACHED directory's type directories, so it costs in proportion to
/// their entries.</para>
/// </remarks>
internal static class RawCopyBudget
{
    /// <summary>Removes unused copies, oldest use first, until the rest fit <paramref name="budgetBytes"/>.</summary>
    /// <returns>How many copies and bytes were removed.</returns>
    public static (int Copies, long Bytes) Trim(SegmentStore cachedStore, SegmentPublisher publisher, LastUseTable lastUse, long budgetBytes)
    {
        if (budgetBytes == long.MaxValue)
        {
            return (0, 0);
        }

        List<DiskFile> copies = [.. DiskUsage.List([cachedStore]).Where(file => file.Kind == DiskFileKind.RawCopy)];
        long total = copies.Sum(copy => copy.Bytes);
        int removed = 0;
        long freed = 0;
        foreach (DiskFile copy in LeastRecentlyUsed.First(copies, lastUse))
        {
            if (total - freed <= budgetBytes)
            {
                break;
            }

            if (RawCopyUse.TryRemoveUnused(copy.Path, publisher) is { } bytes)
            {
                removed++;
                freed += bytes;
            }
        }

        return (removed, freed);
    }
}
