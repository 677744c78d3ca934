using System.Runtime.InteropServices;

namespace Osipy.MappedCache.Interop;

/// <summary>
/// Linux libc entry points that the BCL does not expose: opening without following symlinks,
/// file ownership (statx), and mmap with the flags this library needs. One signature per file.
/// </summary>
internal static partial class Libc
{
    internal const string LibraryName = "libc";

    internal const int EPERM = 1;
    internal const int ENOENT = 2;
    internal const int EINTR = 4;
    internal const int EACCES = 13;
    internal const int ENOTDIR = 20;
    internal const int ELOOP = 40;

    /// <summary>Throws an <see cref="IOException"/> naming the path and the meaning of <paramref name="errno"/>.</summary>
    internal static IOException IOExceptionFor(int errno, string operation, string path) =>
        new($"{operation} '{path}' failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}).", errno);
}
