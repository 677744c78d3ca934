namespace Osipy.MappedCache.Legacy;

/// <summary>
/// Hands on the elements of a Fortran-order array (first index fastest, as numpy writes an
/// F-contiguous array, nibabel's usual layout) in C order (last index fastest), in pieces.
/// </summary>
internal static class FortranToC
{
    /// <summary>Gathers <paramref name="fortran"/> into C order, <paramref name="pieceBytes"/> at a time (a multiple of the item size).</summary>
    /// <param name="fortran">The whole array, Fortran order.</param>
    /// <param name="shape">numpy's shape of the array.</param>
    /// <param name="itemSize">Bytes per element.</param>
    /// <param name="pieceBytes">The most bytes handed on at once; rounded down to whole elements.</param>
    /// <param name="sink">Receives the pieces, in order; each is valid only during the call.</param>
    public static void Emit(ReadOnlySpan<byte> fortran, ReadOnlySpan<long> shape, int itemSize, int pieceBytes, PieceSink sink)
    {
        int rank = shape.Length;
        long count = fortran.Length / itemSize;
        if (count == 0)
        {
            return;
        }

        // Byte strides of each index in the Fortran layout.
        var strides = new long[rank];
        long stride = itemSize;
        for (int d = 0; d < rank; d++)
        {
            strides[d] = stride;
            stride *= shape[d];
        }

        var index = new long[rank];
        byte[] piece = new byte[Math.Max(itemSize, pieceBytes / itemSize * itemSize)];
        int filled = 0;
        long source = 0;
        for (long i = 0; i < count; i++)
        {
            fortran.Slice((int)source, itemSize).CopyTo(piece.AsSpan(filled));
            filled += itemSize;
            if (filled == piece.Length)
            {
                sink(piece);
                filled = 0;
            }

            // The C-order odometer: the last index turns fastest; the Fortran offset follows it.
            for (int d = rank - 1; d >= 0; d--)
            {
                source += strides[d];
                if (++index[d] < shape[d])
                {
                    break;
                }

                source -= strides[d] * shape[d];
                index[d] = 0;
            }
        }

        if (filled > 0)
        {
            sink(piece.AsSpan(0, filled));
        }
    }
}
