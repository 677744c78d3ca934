using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Osipy.MappedCache.Mapping;

/// <summary>
/// Reads the bytes of any managed array of unmanaged elements (float[,,,] and the like) in chunks,
/// without copying it and without limiting it to 2 GB as a single span would.
/// </summary>
internal static class ArrayBytes
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
}
