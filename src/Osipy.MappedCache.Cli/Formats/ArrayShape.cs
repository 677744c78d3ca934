namespace Osipy.MappedCache.Cli.Formats;

/// <summary>Shape arithmetic with overflow checks, for shapes that come from untrusted files.</summary>
internal static class ArrayShape
{
    /// <summary>
    /// Multiplies out a shape. Returns false when a dimension is negative or the element count or the
    /// byte count does not fit in a <see cref="long"/>.
    /// </summary>
    public static bool TryGetLength(ReadOnlySpan<long> shape, int itemSize, out long elements, out long bytes)
    {
        elements = 1;
        bytes = 0;
        foreach (long dim in shape)
        {
            if (dim < 0)
            {
                return false;
            }

            // Once an axis is empty the product stays 0, whatever the later axes are.
            if (elements != 0 && dim != 0 && elements > long.MaxValue / dim)
            {
                return false;
            }

            elements *= dim;
        }

        if (elements > long.MaxValue / itemSize)
        {
            return false;
        }

        bytes = elements * itemSize;
        return true;
    }

    /// <summary>
    /// Drops the axes of length 1. Neither the C-order nor the Fortran-order layout of an array depends
    /// on them, so the reordering works on fewer, longer axes.
    /// </summary>
    public static long[] Squeeze(ReadOnlySpan<long> shape)
    {
        var kept = new List<long>(shape.Length);
        foreach (long dim in shape)
        {
            if (dim != 1)
            {
                kept.Add(dim);
            }
        }

        return [.. kept];
    }

    /// <summary>Formats a shape as NumPy prints it: <c>(7, 5, 3)</c>, <c>(4,)</c>, <c>()</c>.</summary>
    public static string Format(ReadOnlySpan<long> shape) =>
        shape.Length == 1 ? $"({shape[0]},)" : $"({string.Join(", ", shape.ToArray())})";
}
