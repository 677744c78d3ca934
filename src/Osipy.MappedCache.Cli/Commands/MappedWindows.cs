using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Osipy.MappedCache.Cli.Formats;

namespace Osipy.MappedCache.Cli.Commands;

/// <summary>
/// The file formats' windows over a cache entry's mapping: an import reads a file straight into a
/// <see cref="IntermediateCache.Create{T}"/>d segment, an export writes a file straight from a
/// get's mapping. No whole-array buffer on either side, whatever the size.
/// </summary>
internal static class MappedWindows
{
    /// <summary>Byte windows <c>[offset, offset + length)</c> of an array of <typeparamref name="T"/>, through its element spans.</summary>
    private static Span<byte> Bytes<T>(Func<long, int, Span<T>> elements, long offset, int length)
        where T : unmanaged
    {
        int size = Unsafe.SizeOf<T>();
        long first = offset / size;
        long end = (offset + length + size - 1) / size;
        Span<byte> bytes = MemoryMarshal.AsBytes(elements(first, checked((int)(end - first))));
        return bytes.Slice((int)(offset - (first * size)), length);
    }

    /// <summary>Where an import writes: the new segment's mapping.</summary>
    public sealed class Destination<T>(MappedArrayWriter<T> writer) : ArrayDestination
        where T : unmanaged
    {
        public override long ByteLength => writer.Length * Unsafe.SizeOf<T>();

        public override Span<byte> Window(long offset, int length) => Bytes<T>(writer.GetSpan, offset, length);
    }

    /// <summary>What an export reads: the entry's mapping, read-only.</summary>
    public sealed class Source<T>(MappedArray<T> array) : ArraySource
        where T : unmanaged
    {
        public override long ByteLength => array.Length * Unsafe.SizeOf<T>();

        public override ReadOnlySpan<byte> Window(long offset, int length) => Bytes<T>(array.GetSpan, offset, length);
    }
}
