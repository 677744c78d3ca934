namespace Osipy.MappedCache.Cli.Formats;

/// <summary>
/// Plans the streaming reorder between a Fortran-order file (first index fastest) and a C-order array
/// (last index fastest) within a fixed memory budget, and walks each block (<see cref="Walk"/>).
/// </summary>
/// <remarks>
/// <para>
/// The file is a sequence of <see cref="PlaneCount"/> planes, one per index of the last axis, each
/// <see cref="PlaneLength"/> elements long (the other axes, first fastest); a plane is in turn a
/// sequence of slabs, one per index of its own slowest axis. In C order the last axis is fastest, so
/// every C-order row of <see cref="PlaneCount"/> elements takes one element from each plane: a block of
/// consecutive whole planes gives each row a run, and a block of slabs gives some rows one element.
/// </para>
/// <para>
/// The first axis is the file's fastest and the array's slowest. The walk therefore takes a tile of
/// rows of the other axes and goes through it once per index of the first axis: each pass reads the
/// same few thousand cache lines of the buffer one element further along, and writes whole windows of
/// consecutive rows, so neither side is read or written at random.
/// </para>
/// <para>Not thread-safe (it keeps the tile's scratch arrays): one per read or write.</para>
/// </remarks>
internal sealed class FortranLayout
{
    // About 256 KiB of cache lines: what one pass over a tile touches in the buffer, reused by the next passes.
    private const int TileLines = 4096;

    private readonly long[] _axes;
    private readonly int _blockBytes;
    private readonly int[] _tileInputs = new int[TileLines];
    private readonly long[] _tileRows = new long[TileLines];

    private FortranLayout(long[] squeezed, int itemSize, int blockBytes)
    {
        _axes = squeezed[..^1];
        _blockBytes = blockBytes;
        ItemSize = itemSize;
        PlaneCount = squeezed[^1];
        SlabCount = _axes[^1];
        SlabLength = 1;
        for (int axis = 0; axis < _axes.Length - 1; axis++)
        {
            SlabLength *= _axes[axis];
        }

        PlaneLength = SlabLength * SlabCount;
        (Mode, PlanesPerBlock, CountPerBlock) =
            PlaneLength * itemSize <= blockBytes ? (FortranMode.WholePlanes, (int)Math.Min(PlaneCount, blockBytes / (PlaneLength * itemSize)), (int)SlabCount)
            : SlabLength * itemSize <= blockBytes ? (FortranMode.Slabs, 1, (int)Math.Min(SlabCount, blockBytes / (SlabLength * itemSize)))
            : (FortranMode.Elements, 1, blockBytes / itemSize);
    }

    public int ItemSize { get; }

    /// <summary>The length of the last axis.</summary>
    public long PlaneCount { get; }

    /// <summary>The product of the other axes.</summary>
    public long PlaneLength { get; }

    /// <summary>The length of a plane's slowest axis (the last but one of the array).</summary>
    public long SlabCount { get; }

    /// <summary>The product of the axes before it (1 for a 2-D array).</summary>
    public long SlabLength { get; }

    public FortranMode Mode { get; }

    public int PlanesPerBlock { get; }

    /// <summary>Slabs per plane per block, or positions per block in <see cref="FortranMode.Elements"/>.</summary>
    public int CountPerBlock { get; }

    /// <summary>The buffer a block needs, in bytes (at most the budget).</summary>
    public int BufferBytes => (int)Math.Min(Elements(new FortranBlock(0, PlanesPerBlock, 0, CountPerBlock)), PlaneCount * PlaneLength) * ItemSize;

    /// <summary>
    /// Returns the plan, or null when the two orders are the same bytes (at most one axis longer than 1)
    /// or the array is empty, so a plain sequential copy will do.
    /// </summary>
    /// <param name="shape">The array's shape (already validated: its byte count fits a long).</param>
    /// <param name="itemSize">The element size in the buffer.</param>
    /// <param name="blockBytes">The budget for one block.</param>
    public static FortranLayout? Create(ReadOnlySpan<long> shape, int itemSize, int blockBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blockBytes, itemSize);
        long[] squeezed = ArrayShape.Squeeze(shape);
        return squeezed.Length < 2 || squeezed.Contains(0) ? null : new FortranLayout(squeezed, itemSize, blockBytes);
    }

    /// <summary>The blocks in file order.</summary>
    public IEnumerable<FortranBlock> Blocks()
    {
        long perPlane = Mode == FortranMode.Elements ? PlaneLength : SlabCount;
        for (long plane = 0; plane < PlaneCount; plane += PlanesPerBlock)
        {
            int planes = (int)Math.Min(PlanesPerBlock, PlaneCount - plane);
            for (long first = 0; first < perPlane; first += CountPerBlock)
            {
                yield return new FortranBlock(plane, planes, first, (int)Math.Min(CountPerBlock, perPlane - first));
            }
        }
    }

    /// <summary>How many elements <paramref name="block"/> holds (they lie plane after plane in the buffer).</summary>
    public long Elements(FortranBlock block) => block.Planes * (Mode == FortranMode.Elements ? block.Count : SlabLength * block.Count);

    /// <summary>Moves every element of <paramref name="block"/> between the buffer and its place in the array.</summary>
    public void Walk<TCopier>(FortranBlock block, ref TCopier copier)
        where TCopier : IWindowCopier, allows ref struct
    {
        if (Mode == FortranMode.Elements)
        {
            WalkElements(block, ref copier);
            return;
        }

        long rowBytes = PlaneCount * ItemSize;
        int runBytes = block.Planes * ItemSize;
        int planeStride = (int)(SlabLength * block.Count);
        int maxRowsPerWindow = (int)Math.Max(1, _blockBytes / rowBytes);

        // A 2-D array has no inner axes: its first axis is the plane's slowest, cut into slabs.
        bool twoDimensional = _axes.Length == 1;
        long firstColumn = twoDimensional ? block.First : 0;
        long columns = twoDimensional ? block.Count : _axes[0];
        long rowsPerColumn = twoDimensional ? 1 : PlaneLength / _axes[0];
        long innerCount = twoDimensional ? 1 : SlabLength / _axes[0] * block.Count;
        long rowOffset = twoDimensional ? 0 : block.First;
        Odometer inner = InnerPositions(block.Count);
        int tile = (int)Math.Clamp(TileLines / block.Planes, 1, innerCount);
        for (long done = 0; done < innerCount; done += tile)
        {
            int count = (int)Math.Min(tile, innerCount - done);
            for (int j = 0; j < count; j++)
            {
                _tileInputs[j] = (int)inner.Input;
                _tileRows[j] = inner.Output + rowOffset;
                inner.Next();
            }

            for (long column = firstColumn; column < firstColumn + columns; column++)
            {
                int columnOffset = (int)(column - firstColumn);
                for (int j = 0; j < count;)
                {
                    // Rows that follow each other in the array share one window.
                    int end = j + 1;
                    while (end < count && _tileRows[end] == _tileRows[end - 1] + 1 && end - j < maxRowsPerWindow)
                    {
                        end++;
                    }

                    long firstRow = (column * rowsPerColumn) + _tileRows[j];
                    copier.Open((firstRow * rowBytes) + (block.FirstPlane * ItemSize), (int)(((_tileRows[end - 1] - _tileRows[j]) * rowBytes) + runBytes));
                    for (int i = j; i < end; i++)
                    {
                        copier.Copy((int)((_tileRows[i] - _tileRows[j]) * rowBytes), columnOffset + _tileInputs[i], planeStride, block.Planes);
                    }

                    j = end;
                }
            }
        }
    }

    /// <summary>
    /// The positions of the axes after the first, C order (slab axis fastest, limited to a block's
    /// <paramref name="slabs"/>): <see cref="Odometer.Input"/> is the offset in a buffer plane,
    /// <see cref="Odometer.Output"/> the row among those axes, counted from the block's first slab.
    /// </summary>
    private Odometer InnerPositions(int slabs)
    {
        int inner = _axes.Length - 1;
        long[] sizes = new long[inner], inputStrides = new long[inner], outputStrides = new long[inner];
        long fortranStride = _axes[0], cStride = 1;
        for (int axis = 1; axis <= inner; axis++)
        {
            inputStrides[inner - axis] = fortranStride;
            fortranStride *= _axes[axis];
        }

        for (int axis = inner; axis >= 1; axis--)
        {
            sizes[inner - axis] = axis == inner ? slabs : _axes[axis];
            outputStrides[inner - axis] = cStride;
            cStride *= _axes[axis];
        }

        return new Odometer(sizes, inputStrides, outputStrides);
    }

    private void WalkElements<TCopier>(FortranBlock block, ref TCopier copier)
        where TCopier : IWindowCopier, allows ref struct
    {
        long[] fortranStrides = new long[_axes.Length], cStrides = new long[_axes.Length];
        for (long axis = 0, f = 1; axis < _axes.Length; f *= _axes[axis], axis++)
        {
            fortranStrides[axis] = f;
        }

        for (long axis = _axes.Length - 1, c = 1; axis >= 0; c *= _axes[axis], axis--)
        {
            cStrides[axis] = c;
        }

        long rowBytes = PlaneCount * ItemSize;
        var positions = new Odometer(_axes, fortranStrides, cStrides, block.First);
        for (int i = 0; i < block.Count; i++)
        {
            copier.Open((positions.Output * rowBytes) + (block.FirstPlane * ItemSize), ItemSize);
            copier.Copy(0, i, 0, 1);
            positions.Next();
        }
    }
}
