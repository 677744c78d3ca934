using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Osipy.MappedCache.Interop;

namespace Osipy.MappedCache.Files;

/// <summary>
/// Which file a name pointed at when it was looked at: device, inode, change time and size.
/// A rename over the name, or a delete and re-create, gives another identity (the change time
/// tells a reused inode number apart), so comparing identities is how a session knows a path
/// still holds the file it wrote or mapped.
/// </summary>
internal readonly record struct FileIdentity(ulong Device, ulong Inode, long ChangeTimeNanoseconds, ulong Size)
{
    /// <summary>The identity of an open file.</summary>
    /// <exception cref="IOException">fstat failed.</exception>
    public static FileIdentity Of(SafeFileHandle file, string pathForErrors)
    {
        bool added = false;
        try
        {
            file.DangerousAddRef(ref added);
            if (Libc.Statx((int)file.DangerousGetHandle(), string.Empty, Libc.AT_EMPTY_PATH, Libc.STATX_BASIC_STATS, out Libc.StatxBuffer stat) != 0)
            {
                throw Libc.IOExceptionFor(Marshal.GetLastPInvokeError(), "statx", pathForErrors);
            }

            return From(stat);
        }
        finally
        {
            if (added)
            {
                file.DangerousRelease();
            }
        }
    }

    /// <summary>The identity of whatever <paramref name="path"/> names now (a symlink is not followed); null if nothing.</summary>
    /// <exception cref="IOException">statx failed for another reason than a missing file.</exception>
    public static FileIdentity? OfPath(string path)
    {
        if (Libc.Statx(Libc.AT_FDCWD, path, Libc.AT_SYMLINK_NOFOLLOW, Libc.STATX_BASIC_STATS, out Libc.StatxBuffer stat) == 0)
        {
            return From(stat);
        }

        int errno = Marshal.GetLastPInvokeError();
        return errno is Libc.ENOENT or Libc.ENOTDIR ? null : throw Libc.IOExceptionFor(errno, "statx", path);
    }

    internal static FileIdentity From(in Libc.StatxBuffer stat) =>
        new(((ulong)stat.DeviceMajor << 32) | stat.DeviceMinor, stat.Inode, (stat.ChangeTimeSeconds * 1_000_000_000L) + stat.ChangeTimeNanoseconds, stat.Size);
}
