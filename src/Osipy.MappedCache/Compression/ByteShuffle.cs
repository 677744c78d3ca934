using System.Runtime.Intrinsics.X86;

namespace Osipy.MappedCache.Compression;

/// <summary>
/// The byte-shuffle filter (as in Blosc and HDF5): element i's byte j moves to plane j, position i.
/// Numeric arrays of smoothly varying values then have long runs in the high-order planes, which
/// a fast codec such as LZ4 compresses well.
/// </summary>
/// <remarks>
/// Elements of 2, 4 and 8 bytes go through SSSE3 kernels (ByteShuffle.Vector128.cs), 16 elements
/// at a time; what is left over, other element sizes, and CPUs without SSSE3 take the scalar loop.
/// Both paths produce the same bytes. Stateless and thread-safe.
/// </remarks>
internal static partial class ByteShuffle
{
    /// <summary>Shuffles whole elements of <paramref name="itemSize"/> bytes from <paramref name="source"/> into <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="itemSize"/> is not positive.</exception>
    /// <exception cref="ArgumentException">The spans differ in length or do not hold whole elements.</exception>
    public static void Shuffle(ReadOnlySpan<byte> source, Span<byte> destination, int itemSize)
    {
        Check(source, destination, itemSize);
        if (itemSize == 1)
        {
            // One plane: the filter is the identity.
            source.CopyTo(destination);
            return;
        }

        int count = source.Length / itemSize;
        int done = Ssse3.IsSupported ? ShuffleVector128(source, destination, itemSize, count) : 0;
        for (int i = done; i < count; i++)
        {
            for (int j = 0; j < itemSize; j++)
            {
                destination[(j * count) + i] = source[(i * itemSize) + j];
            }
        }
    }

    /// <summary>The inverse of <see cref="Shuffle"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="itemSize"/> is not positive.</exception>
    /// <exception cref="ArgumentException">The spans differ in length or do not hold whole elements.</exception>
    public static void Unshuffle(ReadOnlySpan<byte> source, Span<byte> destination, int itemSize)
    {
        Check(source, destination, itemSize);
        if (itemSize == 1)
        {
            source.CopyTo(destination);
            return;
        }

        int count = source.Length / itemSize;
        int done = Ssse3.IsSupported ? UnshuffleVector128(source, destination, itemSize, count) : 0;
        for (int i = done; i < count; i++)
        {
            for (int j = 0; j < itemSize; j++)
            {
                destination[(i * itemSize) + j] = source[(j * count) + i];
            }
        }
    }

    private static void Check(ReadOnlySpan<byte> source, Span<byte> destination, int itemSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(itemSize);
        if (source.Length % itemSize != 0 || destination.Length != source.Length)
        {
            throw new ArgumentException("Source and destination must hold the same whole number of elements.");
        }
    }
}
