using System.Runtime.InteropServices;

namespace Osipy.MappedCache.Interop;

internal static partial class Libc
{
    internal const int PROT_READ = 0x1;
    internal const int PROT_WRITE = 0x2;
    internal const int MAP_SHARED = 0x01;
    internal const int MAP_PRIVATE = 0x02;
    internal static readonly nint MAP_FAILED = -1;

    [LibraryImport(LibraryName, EntryPoint = "mmap", SetLastError = true)]
    internal static partial nint Mmap(nint address, nuint length, int protection, int flags, int fd, long offset);
}
