namespace Osipy.MappedCache.Compression;

/// <summary>
/// The byte-shuffle filter (as in Blosc and HDF5): element i's byte j moves to plane j, position i.
/// Numeric arrays of smoothly varying values then have long runs in the high-order planes, which
/// a fast codec such as LZ4 compresses well.
/// </summary>
internal static class ByteShuffle
{
    /// <summary>Shuffles whole elements of <paramref name="itemSize"/> bytes from <paramref name="source"/> into <paramref name="destination"/>.</summary>
    public static void Shuffle(ReadOnlySpan<byte> source, Span<byte> destination, int itemSize)
    {
        Check(source, destination, itemSize);
        int count = source.Length / itemSize;
        for (int i = 0; i < count; i++)
        {
            for (int j = 0; j < itemSize; j++)
            {
                destination[(j * count) + i] = source[(i * itemSize) + j];
            }
        }
    }

    /// <summary>The inverse of <see cref="Shuffle"/>.</summary>
    public static void Unshuffle(ReadOnlySpan<byte> source, Span<byte> destination, int itemSize)
    {
        Check(source, destination, itemSize);
        int count = source.Length / itemSize;
        for (int i = 0; i < count; i++)
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
