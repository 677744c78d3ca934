using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Osipy.MappedCache.Interop;

namespace Osipy.MappedCache.Files;

/// <summary>
/// Opens, for reading, a file another program wrote (osipy's own cache files): only a regular
/// file, never waiting on a planted FIFO; where the cache found it by itself rather than being
/// handed its path, not through a symbolic link and only if this user owns it, since another user
/// could have planted it.
/// </summary>
internal static class ForeignFile
{
    /// <param name="path">The file.</param>
    /// <param name="namedByUser">The caller was given this path (an import): a symbolic link is
    /// followed and any owner is accepted. Otherwise the cache derived it (a look-up).</param>
    /// <returns>The open file, or null when nothing is at <paramref name="path"/>.</returns>
    /// <exception cref="IOException">A symbolic link (for a derived path), not a regular file, owned
    /// by another user (for a derived path), or not openable; the message says which.</exception>
    public static SafeFileHandle? OpenRegular(string path, bool namedByUser)
    {
        // O_NONBLOCK so a FIFO cannot block the open.
        int flags = Libc.O_RDONLY | Libc.O_NONBLOCK | Libc.O_CLOEXEC | (namedByUser ? 0 : Libc.O_NOFOLLOW);
        int fd = Libc.Open(path, flags, 0);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            return errno switch
            {
                Libc.ENOENT => null,
                Libc.ELOOP => throw new IOException($"'{path}' is a symbolic link, which is not followed"),
                _ => throw Libc.IOExceptionFor(errno, "open", path),
            };
        }

        var file = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            if (Libc.Statx(fd, string.Empty, Libc.AT_EMPTY_PATH, Libc.STATX_BASIC_STATS, out Libc.StatxBuffer stat) != 0)
            {
                throw Libc.IOExceptionFor(Marshal.GetLastPInvokeError(), "statx", path);
            }

            if (stat.FileType != Libc.S_IFREG)
            {
                throw new IOException($"'{path}' is not a regular file");
            }

            uint me = Libc.Geteuid();
            if (!namedByUser && stat.Uid != me)
            {
                throw new IOException($"'{path}' is owned by uid {stat.Uid}, not by this user (uid {me}), so another user could have planted it");
            }

            return file;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }
}
