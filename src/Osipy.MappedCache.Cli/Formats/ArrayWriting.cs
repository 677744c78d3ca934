namespace Osipy.MappedCache.Cli.Formats;

/// <summary>
/// Moves a C-order array from an <see cref="ArraySource"/> into a file stream in the file's order,
/// holding at most one block of <see cref="FormatLimits.BlockBytes"/> at a time; the mirror of
/// <see cref="ArrayReading"/>.
/// </summary>
internal static class ArrayWriting
{
    /// <summary>Writes every element of <paramref name="source"/> to <paramref name="output"/>.</summary>
    /// <param name="source">The array, little-endian, in C order.</param>
    /// <param name="output">Positioned where the first element goes.</param>
    /// <param name="shape">The array's shape, validated against <paramref name="source"/>.</param>
    /// <param name="itemSize">The element size.</param>
    /// <param name="fortranOrder">Whether the file stores the first index fastest.</param>
    /// <param name="progress">Told the count of array bytes written so far after each block.</param>
    /// <param name="blockBytes">The memory budget (smaller in tests, to exercise every path).</param>
    public static void Write(
        ArraySource source, Stream output, ReadOnlySpan<long> shape, int itemSize, bool fortranOrder, IProgress<long>? progress, int blockBytes = FormatLimits.BlockBytes)
    {
        FortranLayout? layout = fortranOrder ? FortranLayout.Create(shape, itemSize, blockBytes) : null;
        if (layout is null)
        {
            WriteContiguous(source, output, itemSize, progress, blockBytes);
        }
        else
        {
            WriteFortran(source, output, layout, progress);
        }
    }

    private static void WriteContiguous(ArraySource source, Stream output, int itemSize, IProgress<long>? progress, int blockBytes)
    {
        int block = blockBytes / itemSize * itemSize;
        long total = source.ByteLength;
        for (long offset = 0; offset < total;)
        {
            int length = (int)Math.Min(block, total - offset);
            output.Write(source.Window(offset, length));
            offset += length;
            progress?.Report(offset);
        }
    }

    private static void WriteFortran(ArraySource source, Stream output, FortranLayout layout, IProgress<long>? progress)
    {
        long written = 0;
        byte[] buffer = GC.AllocateUninitializedArray<byte>(layout.BufferBytes);
        var copier = new ScatterFromWindows(source, buffer, layout.ItemSize);
        foreach (FortranBlock block in layout.Blocks())
        {
            layout.Walk(block, ref copier);
            int length = (int)layout.Elements(block) * layout.ItemSize;
            output.Write(buffer, 0, length);
            written += length;
            progress?.Report(written);
        }
    }
}
