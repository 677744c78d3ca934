using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Osipy.MappedCache.Mapping;

/// <summary>
/// Raw views of managed and native memory for the writers: a pinned address of any array of
/// unmanaged elements (float[,,,] and the like, past 2 GB too) or span, and spans of at most
/// 2 GB at an offset from it, so data is written without a copy in pieces the writer chooses.
/// </summary>
internal static unsafe class ArrayBytes
{
    public static void WithAddress<T>(ReadOnlySpan<T> data, Action<nint> action)
        where T : unmanaged
    {
        fixed (T* pointer = data)
        {
            action((nint)pointer);
        }
    }

    /// <summary>Runs <paramref name="action"/> with the address of the first element of <paramref name="array"/>, pinned meanwhile.</summary>
    public static void WithAddress(Array array, Action<nint> action)
    {
        GCHandle handle = GCHandle.Alloc(array, GCHandleType.Pinned);
        try
        {
            action(handle.AddrOfPinnedObject());
        }
        finally
        {
            handle.Free();
        }
    }

    /// <summary><paramref name="length"/> bytes at <paramref name="address"/> + <paramref name="offset"/>; the caller keeps them alive.</summary>
    public static ReadOnlySpan<byte> At(nint address, long offset, int length) => new((byte*)address + offset, length);
}
