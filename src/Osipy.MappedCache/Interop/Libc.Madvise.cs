using System.Runtime.InteropServices;

namespace Osipy.MappedCache.Interop;

internal static partial class Libc
{
    internal const int MADV_NORMAL = 0;
    internal const int MADV_RANDOM = 1;
    internal const int MADV_SEQUENTIAL = 2;
    internal const int MADV_WILLNEED = 3;
    internal const int MADV_DONTNEED = 4;
    internal const int MADV_HUGEPAGE = 14;

    /// <summary>
    /// Linux 5.14+: fault every page in for reading now. Unlike MAP_POPULATE, which on a private
    /// writable mapping prefaults for writing and so copies every page into private memory.
    /// </summary>
    internal const int MADV_POPULATE_READ = 22;

    [LibraryImport(LibraryName, EntryPoint = "madvise", SetLastError = true)]
    internal static partial int Madvise(nint address, nuint length, int advice);
}
