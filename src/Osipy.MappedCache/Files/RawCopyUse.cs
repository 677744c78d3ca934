using Microsoft.Win32.SafeHandles;
using Osipy.MappedCache.Interop;

namespace Osipy.MappedCache.Files;

/// <summary>
/// Whether a raw copy is in use, told by the kernel: every process that maps a published copy
/// holds a shared <c>flock</c> on a descriptor of it for as long as the mapping lives
/// (<see cref="Hold"/>), and the raw copies' budget removes a copy only while it can take an
/// exclusive one without waiting (<see cref="TryRemoveUnused"/>). A process that dies drops its
/// locks with its descriptors, so a crash never pins a copy.
/// </summary>
/// <remarks>
/// Neither side waits: a mapper that finds the exclusive lock taken (the copy is being removed at
/// that instant) maps without holding it, and reads its snapshot as any lease of a removed file
/// does. Lock order, where both are held: the copy's flock, then the key's stripe; no stripe holder
/// ever waits for a copy's flock.
/// </remarks>
internal static class RawCopyUse
{
    private const int LockShared = 1; // LOCK_SH

    /// <summary>A descriptor of the copy at <paramref name="path"/> holding its shared lock, or null where
    /// the path no longer names <paramref name="identity"/> or no lock can be had without waiting.</summary>
    public static SafeFileHandle? Hold(string path, FileIdentity identity)
    {
        int fd = Libc.Open(path, Libc.O_RDONLY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0);
        if (fd < 0)
        {
            return null; // removed or replaced since it was mapped, or out of descriptors: nothing to mark
        }

        var file = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            if (FileIdentity.Of(file, path) == identity && Libc.Flock(fd, LockShared | Libc.LOCK_NB) == 0)
            {
                return file;
            }
        }
        catch (IOException)
        {
        }

        file.Dispose();
        return null;
    }

    /// <summary>Removes the copy at <paramref name="path"/> if no process maps it (and the path still names the file locked).</summary>
    /// <returns>The bytes removed; null when the copy is in use, gone, or was replaced meanwhile.</returns>
    public static long? TryRemoveUnused(string path, SegmentPublisher publisher)
    {
        int fd = Libc.Open(path, Libc.O_RDONLY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0);
        if (fd < 0)
        {
            return null;
        }

        using var file = new SafeFileHandle(fd, ownsHandle: true);
        if (Libc.Flock(fd, Libc.LOCK_EX | Libc.LOCK_NB) != 0)
        {
            return null; // some process maps it
        }

        FileIdentity identity = FileIdentity.Of(file, path);
        return publisher.RemoveRawCopy(path, identity) ? (long)identity.Size : null;
    }
}
