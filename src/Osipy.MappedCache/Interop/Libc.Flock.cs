using System.Runtime.InteropServices;

namespace Osipy.MappedCache.Interop;

internal static partial class Libc
{
    internal const int LOCK_EX = 2;
    internal const int LOCK_NB = 4;
    internal const int EWOULDBLOCK = 11;

    /// <summary>
    /// An advisory whole-file lock tied to the open file description: the kernel drops it when the
    /// last descriptor closes, including when the process is killed. That is what makes a session
    /// file a liveness signal.
    /// </summary>
    [LibraryImport(LibraryName, EntryPoint = "flock", SetLastError = true)]
    internal static partial int Flock(int fd, int operation);
}
