using Microsoft.Win32.SafeHandles;
using Osipy.MappedCache.Interop;

namespace Osipy.MappedCache.Files;

/// <summary>
/// The file a publication renames over, held open across the rename so that freeing it happens
/// on a pool thread instead of inside the publisher's rename(2).
/// </summary>
/// <remarks>
/// A rename over the last name of a file nobody has open evicts it then and there: the kernel
/// drops its page cache, waiting for any of it under writeback (170 ms for a 1.68 GB segment,
/// more than a third of its put; docs/PERFORMANCE.md, issue 22). With this descriptor open the
/// rename only unlinks the name; closing it later frees the file. Readers see nothing different:
/// the name switches atomically either way, and a mapping of the old file stays valid. The old
/// file's blocks stay allocated until the close, a moment after the publication.
/// </remarks>
internal static class ReplacedFile
{
    /// <summary>Opens the file at <paramref name="path"/> read-only, if there is one (no lock, no symlink followed).</summary>
    /// <returns>Its descriptor, or null when there is nothing to hold or it cannot be opened (then the rename frees it, as before).</returns>
    public static SafeFileHandle? Hold(string path)
    {
        int fd = Libc.Open(path, Libc.O_RDONLY | Libc.O_NOFOLLOW | Libc.O_NONBLOCK | Libc.O_CLOEXEC, 0);
        return fd < 0 ? null : new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>Closes <paramref name="held"/> on a pool thread: the last close of a replaced file frees its pages there.</summary>
    public static void ReleaseLater(SafeFileHandle? held)
    {
        if (held is not null)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static handle => handle.Dispose(), held, preferLocal: false);
        }
    }
}
