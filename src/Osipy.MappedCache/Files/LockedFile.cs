using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Osipy.MappedCache.Interop;

namespace Osipy.MappedCache.Files;

/// <summary>Opens (creating, mode 0600, never through a symlink) a file and takes an exclusive flock on it, waiting as long as it takes.</summary>
internal static class LockedFile
{
    /// <param name="path">The lock file.</param>
    /// <param name="exclusiveCreate">Fail if the file exists (O_EXCL), for names that must be new.</param>
    /// <exception cref="IOException">The file cannot be opened or locked.</exception>
    public static SafeFileHandle Open(string path, bool exclusiveCreate = false)
    {
        int flags = Libc.O_RDWR | Libc.O_CREAT | Libc.O_NOFOLLOW | Libc.O_CLOEXEC | (exclusiveCreate ? Libc.O_EXCL : 0);
        int fd = Libc.Open(path, flags, 0x180 /* 0600 */);
        if (fd < 0)
        {
            throw Libc.IOExceptionFor(Marshal.GetLastPInvokeError(), "open", path);
        }

        var file = new SafeFileHandle(fd, ownsHandle: true);
        while (Libc.Flock(fd, Libc.LOCK_EX) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno != Libc.EINTR)
            {
                file.Dispose();
                throw Libc.IOExceptionFor(errno, "flock", path);
            }
        }

        return file;
    }

    /// <summary>Whether <paramref name="path"/> still names the locked <paramref name="file"/> (it may have been removed, or replaced, while the lock was awaited).</summary>
    public static bool StillNamed(SafeFileHandle file, string path) =>
        FileIdentity.OfPath(path) is { } named && named.Inode == FileIdentity.Of(file, path).Inode;
}
