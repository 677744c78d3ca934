using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Osipy.MappedCache.Mapping;

/// <summary>
/// Raw views of managed and native memory for the writers: chunks of any array of unmanaged
/// elements (float[,,,] and the like) without copying it or stopping at 2 GB as one span would,
/// and a pinned address of data that the parallel compressor reads from several threads.
/// </summary>
internal static unsafe class ArrayBytes
{
    public delegate void ChunkAction<TState>(ReadOnlySpan<byte> chunk, TState state);

    public static void ForEachChunk<TState>(Array array, int elementSize, int chunkBytes, ChunkAction<TState> action, TState state)
    {
        long total = checked(array.LongLength * elementSize);
        ref byte start = ref MemoryMarshal.GetArrayDataReference(array);
        for (long offset = 0; offset < total; offset += chunkBytes)
        {
            int length = (int)Math.Min(chunkBytes, total - offset);
            action(MemoryMarshal.CreateReadOnlySpan(ref Unsafe.AddByteOffset(ref start, (nint)offset), length), state);
        }
    }

    /// <summary>Runs <paramref name="action"/> with the address of <paramref name="data"/>, pinned meanwhile.</summary>
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
