namespace Osipy.MappedCache.Cli.Formats;

/// <summary>
/// Where a reader puts an array: its bytes in C order (last index fastest), little-endian, handed
/// out a window at a time so that a multi-gigabyte array never needs one managed buffer.
/// </summary>
/// <remarks>
/// A reader writes every byte of <c>[0, ByteLength)</c> exactly once, but not necessarily in increasing
/// order: a Fortran-ordered file is scattered, and then a window may span bytes that are written through
/// other windows, before or after. It holds one window at a time and is done with it before asking for
/// the next, so an implementation may reuse or remap between calls. Readers call it from one thread.
/// </remarks>
internal abstract class ArrayDestination
{
    /// <summary>The size of the whole array, in bytes.</summary>
    public abstract long ByteLength { get; }

    /// <summary>Returns the writable bytes <c>[offset, offset + length)</c> of the array.</summary>
    /// <param name="offset">The first byte, in <c>[0, ByteLength)</c>.</param>
    /// <param name="length">How many bytes, at least 1, with <c>offset + length &lt;= ByteLength</c>.</param>
    /// <returns>A span of exactly <paramref name="length"/> bytes, valid until the next call.</returns>
    public abstract Span<byte> Window(long offset, int length);
}
