using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Osipy.MappedCache.Interop;

namespace Osipy.MappedCache.Files;

/// <summary>
/// Where a store keeps the files of fills in blocks that have not committed yet
/// (<see cref="UnfinishedFillFile"/>): <c>&lt;root&gt;/unfinished/&lt;type dir&gt;.&lt;key digest&gt;.fill</c>,
/// one flat directory per store, so a reclaim lists it without touching the type directories.
/// Knows nothing of policies or clocks: the caller gives the cutoff.
/// </summary>
internal static class UnfinishedFills
{
    public const string DirectoryName = "unfinished";

    public const string Extension = ".fill";

    /// <summary>The file of the key's unfinished fill in <paramref name="store"/> (the directory is created, private, if missing).</summary>
    public static string PathOf(SegmentStore store, string resultType, string key)
    {
        string directory = Path.Combine(store.Root, DirectoryName);
        CacheDirectory.EnsurePrivateDirectory(directory);
        return Path.Combine(directory, Path.GetFileName(store.TypeDirectory(resultType)) + "." + SegmentStore.Digest(key) + Extension);
    }

    /// <summary>
    /// Removes the unfinished fills of <paramref name="store"/> last written before <paramref name="cutoff"/>,
    /// except those a caller holds open now (its flock); returns how many files and bytes went.
    /// </summary>
    public static (int Count, long Bytes) ReclaimOlderThan(SegmentStore store, DateTimeOffset cutoff)
    {
        string directory = Path.Combine(store.Root, DirectoryName);
        if (!Directory.Exists(directory))
        {
            return (0, 0);
        }

        int count = 0;
        long bytes = 0;
        foreach (FileInfo file in new DirectoryInfo(directory).EnumerateFiles("*" + Extension))
        {
            try
            {
                if (file.LinkTarget is null && file.LastWriteTimeUtc < cutoff.UtcDateTime && TryRemoveUnused(file.FullName) is long size)
                {
                    count++;
                    bytes += size;
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Left for the next reclaim.
            }
        }

        return (count, bytes);
    }

    /// <summary>Removes the file unless someone holds its lock (a fill in progress); its size, or null if left.</summary>
    private static long? TryRemoveUnused(string path)
    {
        int fd = Libc.Open(path, Libc.O_RDWR | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            return errno == Libc.ENOENT ? null : throw Libc.IOExceptionFor(errno, "open", path);
        }

        using var file = new SafeFileHandle(fd, ownsHandle: true);
        if (Libc.Flock(fd, Libc.LOCK_EX | Libc.LOCK_NB) != 0 || !LockedFile.StillNamed(file, path))
        {
            return null; // a fill is using it (or it was replaced meanwhile)
        }

        long size = RandomAccess.GetLength(file);
        return FileRemoval.Delete(path) ? size : null;
    }
}
