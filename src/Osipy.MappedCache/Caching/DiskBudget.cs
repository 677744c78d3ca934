using Microsoft.Win32.SafeHandles;
using Osipy.MappedCache.Diagnostics;
using Osipy.MappedCache.Files;
using Osipy.MappedCache.Mapping;

namespace Osipy.MappedCache.Caching;

/// <summary>
/// The disk budget of a cache directory (<see cref="CacheConfig.MaxDiskMb"/>), shared by every
/// session and process on it: a write makes room for its file before the file exists.
/// </summary>
/// <remarks>
/// <para>How, written here: under the directory's budget lock (<c>locks/budget.lock</c>, an
/// exclusive flock, so processes take turns), the files of the stores are counted by the blocks
/// they hold (<see cref="DiskUsage"/>: segments, raw copies, and the space writes in progress have
/// reserved); if the new file does not fit, files go in this order until it does: raw copies,
/// least recently used first, then entries (PERSISTENT and CACHED alike), least recently used
/// first by the directory's last-use table, which every process's gets stamp. Never the key
/// being written, never a write in progress. The new file is created, its space reserved, before
/// the lock is released, so the next writer counts it.</para>
/// <para>A removal is an unlink under the key's stripe, if the path still names the file counted
/// (another write may have replaced it): a lease that maps the file keeps reading it, and a
/// session holding the entry sees the generation move and finds it gone. If writes in progress
/// hold the rest of the budget, the writer waits for them to publish (polling, up to a minute),
/// then evicts again. An entry larger than the whole budget is refused at once.</para>
/// <para>The count lists the type directories on each write, so a write costs in proportion to the
/// files of the cache: meant for caches of large arrays (thousands of files, not millions).
/// Compressed <c>.zseg</c> files and cluster downloads grow as they are written and reserve
/// nothing: they count from the next write on.</para>
/// </remarks>
internal sealed class DiskBudget(CacheSettings settings, StoreSet stores, SegmentPublisher publisher, LastUseTable lastUse, CacheCounters counters, string lockPath)
{
    private static readonly TimeSpan WaitForWrites = TimeSpan.FromMinutes(1);

    public bool IsLimited => settings.DiskBudgetBytes != long.MaxValue;

    /// <summary>
    /// Makes room for <paramref name="bytes"/> more, evicting as written above, and returns the
    /// held budget lock: create the file, then dispose it. Null when there is no budget.
    /// </summary>
    /// <exception cref="IOException">The entry is larger than the whole budget, or writes in progress held the budget for a minute.</exception>
    public IDisposable? MakeRoom(long bytes, KeyLocation writing)
    {
        if (!IsLimited)
        {
            return null;
        }

        long budget = settings.DiskBudgetBytes;
        if (bytes > budget)
        {
            throw new IOException(
                $"The entry needs {bytes} bytes on disk, more than the cache's whole disk budget ({budget} bytes, MaxDiskMb = {settings.Config.MaxDiskMb}); raise MaxDiskMb or store it elsewhere.");
        }

        long deadline = Environment.TickCount64 + (long)WaitForWrites.TotalMilliseconds;
        int pause = 1;
        while (true)
        {
            SafeFileHandle held = LockedFile.Open(lockPath);
            bool fits;
            try
            {
                fits = Evict(bytes, budget, writing) <= budget;
            }
            catch
            {
                held.Dispose();
                throw;
            }

            if (fits)
            {
                return held;
            }

            held.Dispose();
            if (Environment.TickCount64 > deadline)
            {
                throw new IOException(
                    $"The cache's disk budget ({budget} bytes) is held by writes in progress; {bytes} bytes could not be made room for within {WaitForWrites.TotalSeconds:F0} s.");
            }

            Thread.Sleep(pause); // other writers must publish first; they hold no lock we need
            pause = Math.Min(pause * 2, 100);
        }
    }

    /// <summary>Evicts, as a write would, until the directory fits the budget (<c>osipy-cache gc --max-disk</c>).</summary>
    /// <returns>The bytes left in the directory.</returns>
    public long Trim()
    {
        if (!IsLimited)
        {
            return DiskUsage.List(stores.All).Sum(file => file.Bytes);
        }

        using SafeFileHandle held = LockedFile.Open(lockPath);
        return Evict(0, settings.DiskBudgetBytes, writing: null);
    }

    /// <summary>Under the budget lock: evicts in the written order until <paramref name="bytes"/> more fit, or nothing more may go.</summary>
    /// <returns>The bytes the directory will hold with the new file.</returns>
    private long Evict(long bytes, long budget, KeyLocation? writing)
    {
        List<DiskFile> files = DiskUsage.List(stores.All);
        long total = files.Sum(file => file.Bytes) + bytes;
        if (total <= budget)
        {
            return total;
        }

        IEnumerable<DiskFile> removable = files.Where(file => !IsOf(file, writing));
        foreach (DiskFile file in LeastRecentlyUsed.First(removable.Where(file => file.Kind == DiskFileKind.RawCopy), lastUse)
            .Concat(LeastRecentlyUsed.First(removable.Where(file => file.Kind == DiskFileKind.Segment), lastUse)))
        {
            bool removed = file.Kind == DiskFileKind.RawCopy
                ? publisher.RemoveRawCopy(file.Path, file.Identity)
                : publisher.RemoveIfSame(file.Path, file.Identity);
            if (removed)
            {
                total -= file.Bytes;
                if (file.Kind == DiskFileKind.Segment)
                {
                    Interlocked.Increment(ref counters.DiskEvictions);
                    CacheMetrics.DiskEviction();
                }
            }

            if (total <= budget)
            {
                break;
            }
        }

        return total;
    }

    /// <summary>Whether <paramref name="file"/> is one of the key's own files (its segment of any kind, or its raw copy).</summary>
    private static bool IsOf(DiskFile file, KeyLocation? writing) =>
        writing is { } at
        && Path.GetFileName(Path.GetDirectoryName(file.Path)) == Path.GetFileName(at.TypeDirectory)
        && Path.GetFileNameWithoutExtension(file.Path) == at.KeyDigest;
}
