namespace Osipy.MappedCache.Cli.Formats;

/// <summary>
/// Moves an array's elements from a file, in the file's order, into an <see cref="ArrayDestination"/>
/// in C order, holding at most one block of <see cref="FormatLimits.BlockBytes"/> at a time.
/// </summary>
internal static class ArrayReading
{
    /// <summary>What every reader checks before it writes: the destination holds exactly the array, and the data is read once.</summary>
    /// <exception cref="ArgumentException">The destination is not <paramref name="byteLength"/> bytes.</exception>
    /// <exception cref="InvalidOperationException">The data was read already.</exception>
    public static void BeginRead(ArrayDestination destination, long byteLength, string path, ref bool consumed)
    {
        if (destination.ByteLength != byteLength)
        {
            throw new ArgumentException($"The destination holds {destination.ByteLength} bytes; the array in {path} needs {byteLength}.", nameof(destination));
        }

        if (consumed)
        {
            throw new InvalidOperationException($"The data of {path} was read already.");
        }

        consumed = true;
    }

    /// <summary>Reads every element of the array into <paramref name="destination"/>.</summary>
    /// <param name="reader">Positioned at the first element.</param>
    /// <param name="destination">Exactly the size of the array as <paramref name="reader"/> hands it on.</param>
    /// <param name="shape">The array's shape, validated against <paramref name="destination"/>.</param>
    /// <param name="fortranOrder">Whether the file stores the first index fastest.</param>
    /// <param name="blockBytes">The memory budget (smaller in tests, to exercise every path).</param>
    /// <exception cref="InvalidDataException">The file ends first, or its gzip stream is corrupt.</exception>
    public static void Read(ElementBlockReader reader, ArrayDestination destination, ReadOnlySpan<long> shape, bool fortranOrder, int blockBytes = FormatLimits.BlockBytes)
    {
        int itemSize = reader.Output.ItemSize;
        FortranLayout? layout = fortranOrder ? FortranLayout.Create(shape, itemSize, blockBytes) : null;
        if (layout is null)
        {
            ReadContiguous(reader, destination, itemSize, blockBytes);
        }
        else
        {
            ReadFortran(reader, destination, layout);
        }
    }

    private static void ReadContiguous(ElementBlockReader reader, ArrayDestination destination, int itemSize, int blockBytes)
    {
        // The file's order is the array's: each block goes straight into its window, with no buffer.
        int block = blockBytes / itemSize * itemSize;
        long total = destination.ByteLength;
        for (long offset = 0; offset < total; offset += block)
        {
            reader.Read(destination.Window(offset, (int)Math.Min(block, total - offset)));
        }
    }

    private static void ReadFortran(ElementBlockReader reader, ArrayDestination destination, FortranLayout layout)
    {
        byte[] buffer = GC.AllocateUninitializedArray<byte>(layout.BufferBytes);
        var copier = new GatherIntoWindows(destination, buffer, layout.ItemSize);
        foreach (FortranBlock block in layout.Blocks())
        {
            reader.Read(buffer.AsSpan(0, (int)layout.Elements(block) * layout.ItemSize));
            layout.Walk(block, ref copier);
        }
    }
}
