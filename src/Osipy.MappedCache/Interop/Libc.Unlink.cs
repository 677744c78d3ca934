using System.Runtime.InteropServices;

namespace Osipy.MappedCache.Interop;

internal static partial class Libc
{
    [LibraryImport(LibraryName, EntryPoint = "unlink", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int Unlink(string path);
}
