namespace Osipy.MappedCache.Cli.Formats;

/// <summary>
/// What a writer reads an array from: its bytes in C order (last index fastest), little-endian, a
/// window at a time; the mirror of <see cref="ArrayDestination"/>.
/// </summary>
/// <remarks>
/// A writer may ask for the windows in any order, and more than once for the same bytes (a
/// Fortran-ordered file gathers a few elements of each window per block); it holds one at a time and
/// is done with it before the next call. Writers call it from one thread.
/// </remarks>
internal abstract class ArraySource
{
    /// <summary>The size of the whole array, in bytes.</summary>
    public abstract long ByteLength { get; }

    /// <summary>Returns the bytes <c>[offset, offset + length)</c> of the array.</summary>
    /// <param name="offset">The first byte, in <c>[0, ByteLength)</c>.</param>
    /// <param name="length">How many bytes, at least 1, with <c>offset + length &lt;= ByteLength</c>.</param>
    /// <returns>A span of exactly <paramref name="length"/> bytes, valid until the next call.</returns>
    public abstract ReadOnlySpan<byte> Window(long offset, int length);
}
