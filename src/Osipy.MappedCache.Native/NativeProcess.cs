using System.Runtime.InteropServices;

namespace Osipy.MappedCache.Native;

/// <summary>The calling process's id, read from the kernel on every call (never cached), so a forked child is told apart from its parent.</summary>
internal static partial class NativeProcess
{
    public static int Id => Getpid();

    [LibraryImport("libc", EntryPoint = "getpid")]
    private static partial int Getpid();
}

/// <summary>A handle was used in another process than the one it was issued in: a forked child using its parent's cache.</summary>
internal sealed class WrongProcessException(string message) : Exception(message);

/// <summary>The C caller's fill callback of osipy_cache_get_or_create reported failure.</summary>
internal sealed class FillFailedException(string message) : Exception(message);
