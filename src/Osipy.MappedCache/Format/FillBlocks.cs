namespace Osipy.MappedCache.Format;

/// <summary>
/// How a resumable fill splits an array: the outer dimension's <c>rows</c> into <c>blocks</c>
/// contiguous ranges, block <c>i</c> covering rows <c>[i·rows/blocks, (i+1)·rows/blocks)</c>
/// (integer division), so sizes differ by at most one row and the larger blocks come last.
/// Pure arithmetic.
/// </summary>
internal readonly struct FillBlocks
{
    /// <summary>At most this many blocks (a 16 MiB block table).</summary>
    public const int MaxBlocks = 1 << 20;

    private FillBlocks(long rows, int count, long rowElements, int itemSize)
    {
        Rows = rows;
        Count = count;
        RowElements = rowElements;
        ItemSize = itemSize;
    }

    /// <summary>The outer dimension.</summary>
    public long Rows { get; }

    /// <summary>The number of blocks.</summary>
    public int Count { get; }

    /// <summary>Elements in one outer index: the product of the inner dimensions.</summary>
    public long RowElements { get; }

    public int ItemSize { get; }

    /// <summary>The split of <paramref name="dims"/> into <paramref name="blocks"/> blocks.</summary>
    /// <exception cref="ArgumentException">A scalar shape.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="blocks"/> is below 1, above the outer dimension or <see cref="MaxBlocks"/>, or a block holds more than <see cref="int.MaxValue"/> elements.</exception>
    public static FillBlocks Of(long[] dims, int blocks, int itemSize)
    {
        if (dims.Length == 0)
        {
            throw new ArgumentException("A fill in blocks splits the outer dimension: the shape must have at least one dimension.", "shape");
        }

        long rows = dims[0];
        if (blocks < 1 || blocks > rows || blocks > MaxBlocks)
        {
            throw new ArgumentOutOfRangeException(nameof(blocks), blocks, $"blocks must be between 1 and the outer dimension ({rows}), and at most {MaxBlocks}.");
        }

        long rowElements = 1;
        for (int d = 1; d < dims.Length; d++)
        {
            rowElements *= dims[d];
        }

        long largest = ((rows + blocks - 1) / blocks) * rowElements;
        if (largest > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(blocks), blocks, $"A block would hold {largest} elements, more than a span can: use more blocks.");
        }

        return new FillBlocks(rows, blocks, rowElements, itemSize);
    }

    public long FirstRow(int index) => index * Rows / Count;

    public int RowCount(int index) => (int)(FirstRow(index + 1) - FirstRow(index));

    /// <summary>The block's first element (flat index).</summary>
    public long FirstElement(int index) => FirstRow(index) * RowElements;

    public int ElementCount(int index) => (int)(RowCount(index) * RowElements);

    /// <summary>The block's first byte in the payload.</summary>
    public long ByteOffset(int index) => FirstElement(index) * ItemSize;

    public long PayloadBytes => Rows * RowElements * ItemSize;
}
