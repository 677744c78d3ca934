namespace Osipy.MappedCache.Mapping;

/// <summary>
/// When each key was last used, by any session or process on a cache directory:
/// <c>&lt;cache&gt;/last-use</c>, one slot of Unix milliseconds per key slot (a <see cref="SharedTable"/>
/// of 65,536 slots, 512 KiB). Gets, hits included, puts and creates stamp it; the disk's and the
/// raw copies' budgets evict in its order, oldest first.
/// </summary>
/// <remarks>
/// <para>A stamp costs a read of shared memory and, at most once per millisecond per slot, a
/// plain store: hot keys hit from many threads do not bounce a cache line on every hit. Racing
/// stamps may leave a value a few milliseconds older than the latest use: the order is a
/// least-recently-used order to within that, which is all eviction needs.</para>
/// <para>Keys share a slot when their hashes collide (1 in 65,536 per pair): such keys are as
/// recent as the more recent of them. A key never used since the table was made reads 0 and goes
/// first. Without the file (a read-only directory), stamps are dropped and every key reads 0.</para>
/// </remarks>
internal sealed class LastUseTable
{
    public const string FileName = "last-use";
    public const int SlotCount = 65_536;

    private readonly SharedTable? _table;

    private LastUseTable(SharedTable? table) => _table = table;

    public static LastUseTable ForDirectory(string directory) => new(SharedTable.ForDirectory(directory, FileName, SlotCount));

    /// <summary>Records a use of <paramref name="slot"/> at <paramref name="unixMilliseconds"/>; never moves a slot back in time.</summary>
    public void Stamp(int slot, long unixMilliseconds)
    {
        if (_table is not null && Volatile.Read(ref _table[slot]) < unixMilliseconds)
        {
            Volatile.Write(ref _table[slot], unixMilliseconds);
        }
    }

    /// <summary>The last use of <paramref name="slot"/> in Unix milliseconds; 0 if never (or without the file).</summary>
    public long Read(int slot) => _table is null ? 0 : Volatile.Read(ref _table[slot]);
}
